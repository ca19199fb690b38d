"""The deployment files (deploy/): the Kubernetes manifests validated against the API schema by
kubernetes-validate (strict), the Dockerfile linted by hadolint plus our own rules, the shell
scripts by shellcheck, docker-compose.yml by `docker compose config` (skipped only when no compose
is installed), and the secure defaults read from the YAML: no literal token, no wildcard CORS,
probes and limits on every container, secrets only from Secrets, autoscalers and disruption
budgets, network policies. Each guard is also shown to catch what it guards.

The tools come from .tools/venv (scripts/deploy_check.py), made on first use in about 10 s."""
from __future__ import annotations

import copy
import http.server
import importlib.util
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from benchmark.ports import free_port as _free_port

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("deploy_check", ROOT / "scripts" / "deploy_check.py")
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)


@pytest.fixture(scope="module")
def tools():
    return check.ensure_tools()


@pytest.fixture(scope="module")
def documents():
    return check.k8s_documents()


# --- the external checkers -------------------------------------------------------------------------

@pytest.mark.parametrize("version", check.KUBERNETES_VERSIONS)
def test_every_manifest_is_valid_against_the_kubernetes_api_schema(tools, version):
    assert check.validate_k8s(version) == []


def test_kubernetes_validate_refuses_a_misspelt_field(tools, tmp_path):
    bad = tmp_path / "rasa.yaml"
    bad.write_text((check.K8S / "rasa.yaml").read_text().replace("runAsNonRoot:", "runAsNonRot:", 1))
    done = subprocess.run([check.tool("kubernetes-validate"), "--strict", "--quiet", str(bad)],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "runAsNonRot" in done.stdout + done.stderr


def test_the_dockerfile_passes_hadolint(tools):
    assert check.lint_dockerfiles() == []


def test_hadolint_refuses_what_our_dockerfile_avoids(tools, tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install flask\n")
    done = subprocess.run([check.tool("hadolint"), "--no-color", str(bad)], capture_output=True, text=True)
    assert done.returncode != 0 and all(rule in done.stdout for rule in ("DL3007", "DL3013", "DL3042"))


def test_the_shell_scripts_pass_shellcheck(tools):
    assert check.SHELL_SCRIPTS and check.lint_shell_scripts() == []


@pytest.fixture(scope="module")
def compose():
    command = check.compose_command()
    if command is None:
        pytest.skip("docker compose is not installed (Debian: apt-get install --no-install-recommends docker-compose)")
    return command


def test_docker_compose_accepts_the_file_with_every_secret_set(compose, tmp_path):
    done = check.compose_config(compose, check.dummy_env_file(tmp_path / ".env"))
    assert done.returncode == 0, done.stderr
    rendered = yaml.safe_load(done.stdout)
    assert {"nginx", "console-1", "console-2", "rasa-1", "rasa-2", "actions", "postgres", "redis",
            "rabbitmq"} <= set(rendered["services"])


@pytest.mark.parametrize("missing", ["RASA_TOKEN", "ACTION_SERVER_TOKEN", "REDIS_PASSWORD"])
def test_docker_compose_refuses_to_start_without_a_secret(compose, tmp_path, missing):
    done = check.compose_config(compose, check.dummy_env_file(tmp_path / ".env", leave_out=(missing,)))
    assert done.returncode != 0
    assert f"set {missing} in deploy/.env" in done.stderr


# --- the secure defaults, read from the YAML --------------------------------------------------------

def test_every_workload_has_probes_limits_and_no_privileges(documents):
    assert check.workload_findings(documents) == []


def test_every_secret_comes_from_a_generated_secret_with_a_template_key(documents):
    assert check.secret_reference_findings(documents) == []


def test_the_kustomization_lists_every_manifest_and_the_operators_secret_files(documents):
    assert check.kustomization_findings() == []


def test_console_and_rasa_autoscale_and_nginx_knows_every_pod_they_may_get(documents):
    assert check.scaling_findings(documents) == []


def test_only_nginx_reaches_the_console_only_the_console_and_nginx_rasa_only_rasa_the_actions(documents):
    assert check.network_policy_findings(documents) == []


def test_compose_keeps_secrets_in_the_env_file_and_limits_every_service():
    assert check.compose_findings() == []


def test_no_literal_token_password_or_wildcard_cors_in_any_deployment_file():
    assert check.deployment_files() and check.literal_secret_findings() == []


def test_rasa_starts_with_its_api_behind_a_required_token_and_no_cors_origin():
    assert check.rasa_start_findings() == []


def test_the_dockerfile_is_pinned_non_root_healthchecked_and_keeps_secrets_and_models_out():
    assert check.dockerfile_findings(check.DEPLOY / "Dockerfile") == []
    assert check.dockerignore_findings(check.DEPLOY / "Dockerfile.dockerignore") == []


# --- the guards catch what they guard ---------------------------------------------------------------

def _workload(documents, name):
    for _, doc in documents:
        if doc["kind"] in check.WORKLOAD_KINDS and doc["metadata"]["name"] == name:
            return doc["spec"]["template"]["spec"]["containers"][0]
    raise LookupError(name)


def test_the_workload_guard_catches_a_missing_probe_limit_or_a_literal_token(documents):
    broken = copy.deepcopy(documents)
    rasa = _workload(broken, "rasa")
    del rasa["readinessProbe"]
    del rasa["resources"]["limits"]["memory"]
    rasa["env"].append({"name": "RASA_TOKEN", "value": "rasaToken"})
    rasa["securityContext"]["readOnlyRootFilesystem"] = False
    _workload(broken, "console")["image"] = "nginx:latest"
    findings = "\n".join(check.workload_findings(broken))
    for expected in ("no readinessProbe", "limits.memory", "RASA_TOKEN must come from a Secret",
                     "readOnlyRootFilesystem", "'nginx:latest' is not pinned"):
        assert expected in findings


def test_the_network_guard_catches_a_policy_opening_rasa_to_everyone(documents):
    broken = copy.deepcopy(documents)
    for _, doc in broken:
        if doc["kind"] == "NetworkPolicy" and doc["metadata"]["name"] == "rasa-ingress":
            doc["spec"]["ingress"].append({"ports": [{"protocol": "TCP", "port": 5005}]})
    assert any(f.startswith("rasa accepts connections from ['*'") for f in check.network_policy_findings(broken))


def test_the_scaling_guard_catches_an_autoscaler_beyond_the_names_nginx_lists(documents):
    broken = copy.deepcopy(documents)
    for _, doc in broken:
        if doc["kind"] == "HorizontalPodAutoscaler" and doc["metadata"]["name"] == "rasa":
            doc["spec"]["maxReplicas"] = 8
    findings = "\n".join(check.scaling_findings(broken))
    assert "RASA_SERVERS" in findings and "RASA_INSTANCE_URLS" in findings


def test_the_text_guards_catch_a_wildcard_cors_a_literal_token_and_an_open_rasa_api(tmp_path):
    leaky = tmp_path / "leaky.yaml"
    leaky.write_text("args: [run, --cors, '*']\nRASA_TOKEN: 3f9a0c7d1b2e4f6a8c0d2e4f6a8b0c1d2e3f4a5b\n")
    findings = "\n".join(check.literal_secret_findings([leaky]))
    assert "CORS for every origin" in findings and "RASA_TOKEN has a literal value" in findings
    start = tmp_path / "start.sh"
    start.write_text("require_token ACTION_SERVER_TOKEN\nexec python -m rasa_server_plugins run --enable-api --cors '*'\n")
    findings = "\n".join(check.rasa_start_findings(start))
    assert "without --auth-token" in findings and "--cors" in findings and "RASA_TOKEN is not refused" in findings


def test_the_compose_guard_catches_a_default_password_and_a_published_database(tmp_path):
    compose = yaml.safe_load(check.COMPOSE_FILE.read_text())
    compose["services"]["postgres"]["ports"] = ["5432:5432"]
    compose["services"]["redis"]["environment"]["REDIS_PASSWORD"] = "${REDIS_PASSWORD:-redis}"
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(yaml.safe_dump(compose))
    findings = "\n".join(check.compose_findings(broken))
    assert "postgres: publishes ports" in findings and "REDIS_PASSWORD must be ${NAME:?message}" in findings


def test_the_dockerfile_guard_catches_root_latest_a_baked_secret_and_a_model(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.10-slim\nENV RASA_TOKEN=abc\nCOPY models /app/models\n"
                   "RUN pip install -r requirements.lock\nCMD [\"python\"]\n")
    findings = "\n".join(check.dockerfile_findings(bad))
    for expected in ("not an exact version", "non-root USER", "no HEALTHCHECK", "a secret in a layer",
                     "copies models", "--no-cache-dir", "--no-deps"):
        assert expected in findings


# --- the image's own scripts ------------------------------------------------------------------------

START = ROOT / "deploy" / "bin" / "start.sh"


@pytest.mark.parametrize("role, needs", [("rasa", "RASA_TOKEN(>=32 characters)"),
                                         ("actions", "ACTION_SERVER_TOKEN(>=32 characters)"),
                                         ("console", "CONSOLE_SECRET(>=32 characters)")])
def test_the_start_script_refuses_a_process_without_its_tokens(role, needs):
    environ = {"PATH": os.environ["PATH"], "RASA_TOKEN": "short", "ACTION_SERVER_TOKEN": ""}
    done = subprocess.run(["sh", str(START), role], env=environ, capture_output=True, text=True, timeout=10)
    assert done.returncode == 64
    assert needs in done.stderr and "refusing to start" in done.stderr


def test_the_seed_keeps_the_owners_files_and_refreshes_the_training_data(tmp_path):
    seed_spec = importlib.util.spec_from_file_location("seed", ROOT / "deploy" / "bin" / "seed_shared_files.py")
    seed = importlib.util.module_from_spec(seed_spec)
    seed_spec.loader.exec_module(seed)
    image, shared = tmp_path / "app", tmp_path / "shared"
    (image / "store_config").mkdir(parents=True)
    (image / "store_config" / "store.yml").write_text("shipping: image\n")
    (image / "store_config" / "replies.yml").write_text("replies: image\n")
    (image / "data" / "nlu").mkdir(parents=True)
    (image / "data" / "nlu" / "delivery.yml").write_text("new examples\n")
    (shared / "store_config").mkdir(parents=True)
    (shared / "store_config" / "store.yml").write_text("shipping: the owner's edit\n")
    (shared / "data" / "nlu").mkdir(parents=True)
    (shared / "data" / "nlu" / "delivery.yml").write_text("old examples\n")
    (shared / "data" / "nlu" / "dropped.yml").write_text("a file the image no longer has\n")
    (shared / "data" / "nlu" / "owner_labelled.yml").write_text("the owner's labels\n")

    report = seed.seed(shared, app_root=image)

    assert (shared / "store_config" / "store.yml").read_text() == "shipping: the owner's edit\n"
    assert (shared / "store_config" / "replies.yml").read_text() == "replies: image\n"
    assert (shared / "data" / "nlu" / "delivery.yml").read_text() == "new examples\n"
    assert not (shared / "data" / "nlu" / "dropped.yml").exists()
    assert (shared / "data" / "nlu" / "owner_labelled.yml").read_text() == "the owner's labels\n"
    assert (shared / "models" / "kept").is_dir() and (shared / "results").is_dir() and (shared / "var" / "log").is_dir()
    assert report["store_config added"] == [Path("replies.yml")]



def test_the_healthcheck_asks_the_process_of_its_role(tmp_path):
    seen = []

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200 if self.path.startswith(("/health", "/status?token=t0k")) else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    port = _free_port()
    server = http.server.HTTPServer(("127.0.0.1", port), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    script = ROOT / "deploy" / "bin" / "healthcheck.py"
    try:
        def probe(mode, **environ):
            return subprocess.run([sys.executable, str(script), mode], env={**environ, "PATH": os.environ["PATH"]},
                                  timeout=15).returncode
        assert probe("ready", STORE_ROLE="console", CONSOLE_PORT=str(port)) == 0
        assert probe("ready", STORE_ROLE="rasa", RASA_PORT=str(port), RASA_TOKEN="t0k") == 0
        assert probe("ready", STORE_ROLE="rasa", RASA_PORT=str(port), RASA_TOKEN="wrong") == 1
        assert probe("live", STORE_ROLE="rasa", RASA_PORT=str(port)) == 1   # "/" answers 404 here
        assert probe("ready", STORE_ROLE="actions", ACTION_PORT=str(_free_port())) == 1  # nothing listens
    finally:
        server.shutdown()
    assert seen == ["/health", "/status?token=t0k", "/status?token=wrong", "/"]


# --- nginx: the container's configuration around store.conf -----------------------------------------

def _render_nginx(tmp_path, **environ) -> Path:
    """The nginx container's /etc/nginx, rendered into tmp_path by 40-store-env.sh."""
    conf = tmp_path / "etc-nginx"
    (conf / "store").mkdir(parents=True)
    (conf / "tls").mkdir()
    shutil.copy(ROOT / "deploy" / "nginx" / "store.conf", conf / "store" / "store.conf")
    shutil.copy(ROOT / "deploy" / "nginx" / "render.sh", conf / "store" / "render.sh")
    main = (ROOT / "deploy" / "nginx-container" / "nginx.conf").read_text()
    (conf / "nginx.conf").write_text(main.replace("/tmp/", f"{tmp_path}/")
                                     .replace("/etc/nginx/store/", f"{conf}/store/"))
    env = {"PATH": os.environ["PATH"], "NGINX_CONF_DIR": str(conf), "NGINX_PUBLIC_LISTEN": f"127.0.0.1:{_free_port()}",
           "NGINX_INTERNAL_LISTEN": f"127.0.0.1:{_free_port()}", "MODEL_SHELF_DIR": str(tmp_path / "models"),
           "MODEL_SERVER_TOKEN": "m" * 40, **environ}
    done = subprocess.run(["sh", str(ROOT / "deploy" / "nginx-container" / "40-store-env.sh")], env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return conf


def test_the_kubernetes_upstreams_re_resolve_every_pod_name(tmp_path):
    nginx = yaml.safe_load_all((check.K8S / "nginx.yaml").read_text())
    container = next(d for d in nginx if d["kind"] == "Deployment")["spec"]["template"]["spec"]["containers"][0]
    environ = {e["name"]: e["value"] for e in container["env"] if "value" in e}
    conf = _render_nginx(tmp_path, **{k: environ[k] for k in ("CONSOLE_SERVERS", "RASA_SERVERS", "UPSTREAM_RESOLVER")})
    rasa = (conf / "store-env" / "rasa-servers.conf").read_text()
    assert "zone rasa_members" in rasa and "resolver kube-dns.kube-system.svc.cluster.local valid=5s" in rasa
    assert rasa.count(" resolve max_fails=") == 6 and "server rasa-5.rasa.store.svc.cluster.local:5005 resolve" in rasa
    assert (conf / "store-env" / "console-servers.conf").read_text().count(" resolve ") == 6


@pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("openssl") is None,
                    reason="nginx or openssl is not installed")
def test_nginx_accepts_the_containers_configuration_with_store_conf(tmp_path):
    """`nginx -t` with Debian's nginx (1.22: without `resolve`, which needs 1.27.3; the container
    runs 1.28) on the container's nginx.conf, store.conf and the rendered environment."""
    conf = _render_nginx(tmp_path, CONSOLE_SERVERS=f"127.0.0.1:{_free_port()} 127.0.0.1:{_free_port()}",
                         RASA_SERVERS=f"127.0.0.1:{_free_port()} 127.0.0.1:{_free_port()}")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
                    "-keyout", str(conf / "tls" / "store.key"), "-out", str(conf / "tls" / "store.crt")],
                   check=True, capture_output=True, timeout=60)
    done = subprocess.run(["nginx", "-t", "-p", str(conf), "-c", str(conf / "nginx.conf"), "-e", "/dev/stderr"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
