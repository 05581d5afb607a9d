# Sourced by ./xtarget and .ci/run: points JAVA_HOME at a JDK 25 (JAVA_HOME if it is one,
# else the first /usr/lib/jvm/*25*), and fails clearly when there is none.
xt_is_jdk25() { [ -x "$1/bin/javac" ] && "$1/bin/java" -version 2>&1 | grep -q 'version "25'; }
if [ -z "${JAVA_HOME:-}" ] || ! xt_is_jdk25 "$JAVA_HOME"; then
    JAVA_HOME=""
    for d in /usr/lib/jvm/*25*; do
        if xt_is_jdk25 "$d"; then JAVA_HOME="$d"; break; fi
    done
fi
if [ -z "$JAVA_HOME" ]; then
    echo "xtarget: no JDK 25 found (set JAVA_HOME or install one under /usr/lib/jvm)" >&2
    return 1 2>/dev/null || exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
