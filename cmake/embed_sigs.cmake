# Embeds sigs/builtin.yaml in the library as the built-in signature definitions, so the
# executable works wherever it is copied (docs/signatures.md, "Where definitions come from").
# Run at build time: cmake -DINPUT=... -DOUTPUT=... -P embed_sigs.cmake
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" nhex)
math(EXPR len "${nhex} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp"
"/* Generated from sigs/builtin.yaml by cmake/embed_sigs.cmake at build time: do not edit. */
#include \"detect/sigs.h\"

static const unsigned char text[] = {
${bytes}0 };

const char *sigs_builtin_text(size_t *len)
{
	*len = ${len};
	return (const char *)text;
}
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
