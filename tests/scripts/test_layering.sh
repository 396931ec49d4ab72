#!/usr/bin/env bash
# The layering rule (docs/architecture.md): dissectors (src/proto) and detection
# (src/detect) know only the interfaces they are handed (the parse context: event
# sink, facts sink, a layer's user modules), never the pipeline or the runner above
# them. Fails when a file there includes a pipeline/ or run/ header (in any spelling:
# "pipeline/x.h", <run/x.h>, "../pipeline/x.h"), names struct pipeline or a run's
# context, or calls a pipeline_ function.
# The check is first run on a scratch tree with each kind of violation planted, so this
# test fails if the check itself stops seeing them.
source "$(dirname "$0")/lib.sh"

# violations DIR...: prints every offending line (file:line:text) under the folders.
violations() {
  grep -rnE --include='*.c' --include='*.h' \
    -e '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](\.\./)*(pipeline|run)/' \
    -e '\bstruct[[:space:]]+(pipeline|run_ctx|run_options|workers)\b' \
    -e '\bpipeline_[a-z_]+[[:space:]]*\(' \
    "$@"
}

# --- the check sees each kind of violation ---
plant=$WORK/plant
mkdir -p "$plant/proto" "$plant/detect"
printf '#include "proto/proto.h"\nint ok;\n' > "$plant/proto/clean.c"
check_plant() {
  local name=$1 text=$2
  printf '%s\n' "$text" > "$plant/detect/bad.c"
  if violations "$plant/proto" "$plant/detect" | grep -q 'bad.c'; then pass; else fail "the check misses $name: $text"; fi
}
check_plant "a pipeline header" '#include "pipeline/pipeline.h"'
check_plant "a run header" '#include "run/run.h"'
check_plant "a spaced include" '  #  include <pipeline/pipeline.h>'
check_plant "a relative include" '#include "../run/shard.h"'
check_plant "struct pipeline" 'void f(struct pipeline *p);'
check_plant "a forward declaration" 'struct pipeline;'
check_plant "a run's context" 'struct run_ctx *c;'
check_plant "a pipeline call" 'void *m = pipeline_module (p, 3);'
rm -f "$plant/detect/bad.c"
if [ -z "$(violations "$plant/proto" "$plant/detect")" ]; then pass; else fail "the check flags a clean file"; fi

# --- the tree keeps the rule ---
for dir in src/proto src/detect; do
  [ -d "$SRC/$dir" ] || { fail "$dir: no such folder"; continue; }
done
found=$(cd "$SRC" && violations src/proto src/detect)
if [ -z "$found" ]; then
  pass
else
  fail "proto/ and detect/ reach up into the pipeline or the runner (docs/architecture.md, the layering rule):"
  printf '%s\n' "$found" | sed 's/^/  | /'
fi
finish
