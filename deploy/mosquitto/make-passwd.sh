#!/bin/sh
# Creates the Mosquitto password file for a hall from a CSV of `username,password` lines
# (one for `huitang-host`, one per terminal id; lines starting with # are skipped).
#   deploy/mosquitto/make-passwd.sh credentials.csv /etc/mosquitto/huitang/passwd
# Passwords are stored hashed (mosquitto_passwd, PBKDF2-SHA512). Keep credentials.csv offline.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 CREDENTIALS.csv PASSWD_FILE" >&2; exit 2; }
command -v mosquitto_passwd >/dev/null || { echo "mosquitto_passwd not found (apt-get install mosquitto)" >&2; exit 1; }
: > "$2"
chmod 600 "$2"
grep -v '^[[:space:]]*#' "$1" | grep -v '^[[:space:]]*$' | while IFS=, read -r user pass; do
  mosquitto_passwd -b "$2" "$user" "$pass"
done
echo "wrote $(wc -l < "$2") users to $2"
