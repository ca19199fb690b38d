#!/bin/sh
# Run by the nginx image's entry point (/docker-entrypoint.d/) before nginx starts: renders the
# environment of store.conf with deploy/nginx/render.sh into /etc/nginx/store-env/ (an emptyDir or
# tmpfs: the root filesystem is read-only).
#
# UPSTREAM_RESOLVER (e.g. "127.0.0.11 valid=5s ipv6=off" in compose, "kube-dns.kube-system.svc.
# cluster.local valid=5s ipv6=off" in Kubernetes): nginx ≥ 1.27.3 then re-resolves every member
# of the console and Rasa upstreams (`resolve`, which needs a shared `zone`) instead of resolving
# them once at start. So a restarted pod's new address is followed, a member whose name does not
# resolve yet (a StatefulSet pod the autoscaler has not created, or one not ready) is skipped
# without failing nginx's start, and it joins the hash ring when it becomes ready. Each member
# must be its own name (one pod per name): `hash … consistent` places a member on the ring by
# its name, so several addresses behind one name would share one place.
#
# render.sh works in a folder of its own under /tmp and the result is copied into store-env/:
# that mount point (a Kubernetes emptyDir) belongs to root, and render.sh's `chmod 700` on its
# output folder would fail there.
set -eu
conf_dir="${NGINX_CONF_DIR:-/etc/nginx}"   # the folder of nginx.conf (tests point it elsewhere)
work="$(mktemp -d "${TMPDIR:-/tmp}/store-env.XXXXXX")"
sh "$conf_dir/store/render.sh" "$work"

if [ -n "${UPSTREAM_RESOLVER:-}" ]; then
  for group in console rasa; do
    file="$work/store-env/$group-servers.conf"
    {
      echo "# Rendered by 40-store-env.sh from render.sh's member list: re-resolved members."
      echo "zone ${group}_members 256k;"
      echo "resolver $UPSTREAM_RESOLVER;"
      sed -n 's/^server \([^ ]*\) /server \1 resolve /p' "$file"
    } >"$file.new"
    mv "$file.new" "$file"
  done
fi

mkdir -p "$conf_dir/store-env"
cp "$work"/store-env/*.conf "$conf_dir/store-env/"
rm -rf "$work"
