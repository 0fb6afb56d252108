#!/bin/sh
# Prints the enabled `deb` entries of the machine's own apt sources as deb822 stanzas, for
# scripts that derive private entries from them (guest/linux/build.sh its deb-src twins,
# tools/qemu-backports.sh the backports suite) rather than naming an archive themselves.
# Reads deb822 files in sources.list.d and one-line entries in sources.list and
# sources.list.d/*.list. Every field but Architectures and Enabled is copied, so URIs,
# Suites, Components and Signed-By (even an inline key) stay as the machine has them; Types
# is always just "deb".
set -eu
for f in /etc/apt/sources.list.d/*.sources; do
	[ -e "$f" ] || continue
	awk '
		function flush(   i, n, w, deb) {
			if (nf == 0) return
			deb = 0
			n = split(tolower(val["types"]), w, /[ \t]+/)
			for (i = 1; i <= n; i++) if (w[i] == "deb") deb = 1
			if (deb && tolower(val["enabled"]) != "no" && val["uris"] != "") {
				print "Types: deb"
				for (i = 1; i <= nf; i++)
					if (lkey[i] != "types" && lkey[i] != "architectures" && lkey[i] != "enabled")
						print raw[i]
				print ""
			}
			nf = 0; split("", val); split("", lkey); split("", raw)
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^[ \t]/ { if (nf) { raw[nf] = raw[nf] "\n" $0; val[lkey[nf]] = val[lkey[nf]] " " $0 }; next }
		{
			k = $0; sub(/:.*/, "", k)
			v = $0; sub(/^[^:]*:[ \t]*/, "", v)
			nf++; lkey[nf] = tolower(k); raw[nf] = $0; val[lkey[nf]] = v
		}
		END { flush() }
	' "$f"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -e "$f" ] || continue
	awk '
		{ sub(/#.*/, "") }
		$1 != "deb" { next }
		{
			signed = ""; i = 2
			if ($2 ~ /^\[/) {
				opts = ""
				for (; i <= NF; i++) { opts = opts " " $i; if ($i ~ /\]$/) { i++; break } }
				gsub(/[][]/, "", opts)
				n = split(opts, o, /[ \t]+/)
				for (j = 1; j <= n; j++)
					if (tolower(o[j]) ~ /^signed-by=/) { signed = o[j]; sub(/^[^=]*=/, "", signed) }
			}
			uri = $i; suite = $(i + 1); comps = ""
			for (j = i + 2; j <= NF; j++) comps = comps (comps == "" ? "" : " ") $j
			if (uri == "" || suite == "") next
			print "Types: deb"
			print "URIs: " uri
			print "Suites: " suite
			if (comps != "") print "Components: " comps
			if (signed != "") print "Signed-By: " signed
			print ""
		}
	' "$f"
done
