#!/usr/bin/env bash
# Rebuilds the committed front-end files in ../assets from GOV.UK Frontend and MOJ
# Frontend. Run it after changing advocase.scss or upgrading a package, then commit
# what changed under assets/. The server only ever reads assets/, so no Node is
# needed to run Advocase, only to rebuild its stylesheet.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
assets="$(cd "$here/.." && pwd)/assets"
cd "$here"

# Install exactly what package-lock.json records, so a rebuild gives the same CSS.
# --ignore-scripts: nothing here needs an install script (sass is pure JavaScript
# and falls back from the native file watcher, which a one-off build never uses).
npm ci --ignore-scripts --no-audit --no-fund

govuk="node_modules/govuk-frontend"
moj="node_modules/@ministryofjustice/frontend"

mkdir -p "$assets/js" "$assets/images" "$assets/licences"

# 1. The stylesheet. --load-path=. because MOJ Frontend imports GOV.UK Frontend as
#    "node_modules/govuk-frontend/..."; --quiet-deps hides the packages' own Sass
#    deprecation warnings but still shows any in advocase.scss.
npx --no-install sass \
  --load-path=. \
  --style=compressed \
  --no-source-map \
  --quiet-deps \
  advocase.scss "$assets/advocase.css"

# The whole point of our configuration: no GOV.UK typeface and no crown or crest.
if grep -Eq 'GDS Transport|@font-face|govuk-crest|crown' "$assets/advocase.css"; then
  echo "build.sh: advocase.css refers to GOV.UK's font or crown; check advocase.scss" >&2
  exit 1
fi

# 2. Scripts, for progressive enhancement only: every page works without them. Both
#    are ES modules (load with <script type="module">). The source-map comment is
#    dropped because the maps are not shipped, so browsers don't ask for them.
strip_source_map() { sed -e 's|//# sourceMappingURL=[^ ]*$||' "$1" >"$2"; }
strip_source_map "$govuk/dist/govuk/govuk-frontend.min.js" "$assets/js/govuk-frontend.min.js"
strip_source_map "$moj/moj/moj-frontend.min.js" "$assets/js/moj-frontend.min.js"

# 3. Images. Copy exactly the files the CSS refers to, wherever they come from, and
#    fail if one cannot be found, so that no url() in the CSS points at nothing.
#    Start from an empty folder so images the CSS no longer uses don't linger.
rm -f "$assets/images/"*
# The favicon and the faces of the feedback scale are our own drawings.
cp images/*.svg "$assets/images/"
grep -o 'url([^)]*)' "$assets/advocase.css" | sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//' | sort -u |
  while read -r url; do
    case "$url" in
      /assets/images/*) ;;
      data:*) continue ;;
      *) echo "build.sh: unexpected url($url) in advocase.css; images must be under /assets/images/" >&2; exit 1 ;;
    esac
    name="${url#/assets/images/}"
    found=""
    for dir in images "$moj/moj/assets/images" "$govuk/dist/govuk/assets/images"; do
      if [[ -f "$dir/$name" ]]; then found="$dir/$name"; break; fi
    done
    if [[ -z "$found" ]]; then
      echo "build.sh: advocase.css refers to $url but no package has $name" >&2
      exit 1
    fi
    cp "$found" "$assets/images/$name"
  done

# 4. Licences. Neither npm package ships its licence file, so the texts are kept in
#    licences/ (copied from the two projects' repositories); check the packages still
#    declare the licence those texts are for before copying them next to the code.
for pkg in "$govuk" "$moj"; do
  licence="$(node -p "require('./$pkg/package.json').license")"
  if [[ "$licence" != "MIT" ]]; then
    echo "build.sh: $pkg now declares licence '$licence', not MIT; update licences/" >&2
    exit 1
  fi
done
cp licences/govuk-frontend-LICENSE.txt licences/moj-frontend-LICENSE.txt "$assets/licences/"

echo "build.sh: built $(wc -c <"$assets/advocase.css") bytes of CSS in assets/advocase.css"
ls -l "$assets" "$assets/js" "$assets/images" "$assets/licences"
