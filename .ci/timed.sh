# Sourced by the Python, Go and Java test scripts: timed LABEL COMMAND... runs the command and prints how long
# it took, whether it passed or not, on a line of its own (Maven ends its output with an unterminated colour reset).
timed() {
  local label=$1 start=$SECONDS rc=0
  shift
  "$@" || rc=$?
  printf '\n== %s: %ss%s\n' "$label" "$((SECONDS - start))" "$([ "$rc" = 0 ] || echo ", failed ($rc)")"
  return "$rc"
}
