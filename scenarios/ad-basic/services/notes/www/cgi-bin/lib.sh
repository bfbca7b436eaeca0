# Shared helpers of the notes CGI scripts (sourced, not run).
DATA=/data
mkdir -p "$DATA/users" "$DATA/sessions" "$DATA/notes" 2>/dev/null

# reply CODE TEXT BODY...: a complete response (busybox httpd passes output starting with
# "HTTP/" through unchanged).
reply() {
    code="$1"; shift
    printf 'HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n' "$code"
    [ -n "${EXTRA_HEADER:-}" ] && printf '%s\r\n' "$EXTRA_HEADER"
    printf '\r\n'
    [ $# -gt 0 ] && printf '%s\n' "$@"
    exit 0
}

# The request body (at most 8 KiB).
BODY=""
if [ "${REQUEST_METHOD:-GET}" = POST ]; then
    len="${CONTENT_LENGTH:-0}"
    case "$len" in ''|*[!0-9]*) len=0 ;; esac
    [ "$len" -gt 8192 ] && reply "413 Payload Too Large" "body too large"
    [ "$len" -gt 0 ] && BODY=$(head -c "$len")
fi

# param NAME FROM: the URL-decoded value of NAME in the form string FROM.
param() {
    v=$(printf '%s' "$2" | tr '&' '\n' | grep -m1 "^$1=" | cut -d= -f2- | tr '+' ' ')
    [ -n "$v" ] && httpd -d "$v"
}

# The user of the session cookie, or empty.
session_user() {
    tok=$(printf '%s' "${HTTP_COOKIE:-}" | tr ';' '\n' | sed -n 's/^ *session=//p' | head -n1)
    case "$tok" in ''|*[!0-9a-f]*) return 0 ;; esac
    [ -f "$DATA/sessions/$tok" ] && cat "$DATA/sessions/$tok"
}

require_user() {
    USER_NAME=$(session_user)
    [ -n "$USER_NAME" ] || reply "401 Unauthorized" "login first"
}

valid_id() {
    case "$1" in ''|*[!0-9a-f]*) return 1 ;; esac
    [ ${#1} -le 32 ]
}

random_hex() {
    # -v: never collapse repeated bytes into '*'
    hexdump -v -n "$1" -e '/1 "%02x"' /dev/urandom
}

hash_pass() {
    printf '%s:%s' "$1" "$2" | sha256sum | cut -d' ' -f1
}

# show_note ID: title and body of a note.
show_note() {
    d="$DATA/notes/$1"
    reply "200 OK" "id: $1" "owner: $(cat "$d/owner")" "title: $(cat "$d/title")" "body: $(cat "$d/body")"
}
