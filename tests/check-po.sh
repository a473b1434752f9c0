#!/usr/bin/env bash
# Checks that po/POTFILES.in names every file with translatable strings, and that
# po/zh_CN.po translates every string in them, with nothing fuzzy, missing or obsolete.
# zh_CN is a first-class language: it is complete at every commit.
set -euo pipefail
src=${1:?usage: check-po.sh SOURCE_ROOT}
cd "$src"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# 1. every file with translatable strings is listed
grep -rlE '(^|[^a-zA-Z_])(N?_|C_|g_dngettext|g_dgettext|ngettext)\s*\(' src --include='*.c' --include='*.h' \
  | grep -v -E '^src/(hub)/' > "$tmp/c-files" || true
grep -rl 'translatable="yes"' resources --include='*.ui' > "$tmp/ui-files" || true
ls data/*.desktop.in data/*.metainfo.xml.in 2>/dev/null > "$tmp/data-files" || true
sort -u "$tmp/c-files" "$tmp/ui-files" "$tmp/data-files" > "$tmp/expected"
grep -v -E '^\s*(#|$)' po/POTFILES.in | sort -u > "$tmp/listed"
if ! diff -u "$tmp/listed" "$tmp/expected" > "$tmp/diff"; then
  echo "po/POTFILES.in is out of date (- listed, + has translatable strings):"
  sed -n '3,$p' "$tmp/diff"
  status=1
fi

# 2. every string is translated
xgettext --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 --keyword=g_dgettext:2 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=g_dngettext:2:pass-c-format \
  --flag=g_strdup_printf:1:c-format --flag=g_set_error:4:c-format \
  --flag=g_print:1:c-format --flag=g_printerr:1:c-format \
  -D "$src" -f po/POTFILES.in -o "$tmp/shuyuan.pot" 2> "$tmp/xgettext.log" || {
    cat "$tmp/xgettext.log"; exit 1; }
msgmerge --quiet --no-fuzzy-matching po/zh_CN.po "$tmp/shuyuan.pot" -o "$tmp/merged.po"
stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$tmp/merged.po" 2>&1)
echo "zh_CN: $stats"
if grep -qE 'untranslated|fuzzy' <<<"$stats"; then
  echo "Untranslated strings in po/zh_CN.po:"
  msgattrib --untranslated --no-obsolete "$tmp/merged.po" | grep -E '^msgid' | sed -n '2,40p'
  status=1
fi
obsolete=$(msgattrib --only-obsolete "$tmp/merged.po" | grep -c '^#~ msgid' || true)
if [ "$obsolete" -gt 0 ]; then
  echo "po/zh_CN.po has $obsolete strings no source uses any more; remove them."
  status=1
fi
exit $status
