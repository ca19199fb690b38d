"""Checks of the deployment files under deploy/ (Dockerfile, docker-compose.yml, Kubernetes
manifests), used by tests/test_deploy_manifests.py and by hand:

    .venv/bin/python scripts/deploy_check.py           every check; exit 1 on a finding
    .venv/bin/python scripts/deploy_check.py tools     create or update .tools/venv, print its path

The tools run from their own virtual environment, .tools/venv, made from requirements-tools.lock
on first use (about 10 s, then a hash check): kubernetes-validate needs a jsonschema the project's
venv cannot have. security/audit.py (bandit, pip-audit) takes its tools from the same venv. Each check returns findings, one sentence each; none means it passed.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator, Optional

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
ENV_EXAMPLE = DEPLOY / "env.example"
SECRETS_EXAMPLE = K8S / "secrets" / "store-secrets.env.example"
KUSTOMIZATION = DEPLOY / "kustomization.yaml"
DOCKERFILES = sorted(p for p in DEPLOY.glob("Dockerfile*") if not p.name.endswith(".dockerignore"))
SHELL_SCRIPTS = sorted([*DEPLOY.glob("bin/*.sh"), *DEPLOY.glob("nginx-container/*.sh"),
                        *DEPLOY.glob("postgres/*.sh"), *DEPLOY.glob("nginx/*.sh")])
TOOLS_DIR = ROOT / ".tools"
TOOLS_VENV = TOOLS_DIR / "venv"
TOOLS_LOCK = ROOT / "requirements-tools.lock"
# The oldest Kubernetes the manifests claim to work on, and the newest kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet"}
SECRET_NAME = re.compile(r"(TOKEN|PASSWORD|SECRET|PASS)$")
QUANTITY = re.compile(r"^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$")
# A version tag with digits (python:3.10.13-slim-bookworm, nginx:1.28.0) or a digest.
PINNED_IMAGE = re.compile(r"^[\w./-]+(:\d+(\.\d+)+[\w.-]*)?(@sha256:[0-9a-f]{64})?$")
# cors: '*' / --cors '*' / --cors=* / "--cors", "*" / cors: ["*"]
CORS_WILDCARD = re.compile(r"""cors\w*["']?\s*[:=,]?\s*\[?\s*["']?\*(?![\w*])""", re.I)
LONG_RANDOM = re.compile(r"(?<![\w/.-])[A-Za-z0-9_+/=-]{32,}(?![\w/.-])")
# Images that kustomize sets (`images:` in deploy/kustomization.yaml), not the manifests.
OWN_IMAGE = "store-assistant"
# Containers that keep a writable root filesystem, with the reason in their manifest.
WRITABLE_ROOT = {"rabbitmq"}


# --- the tools' virtual environment ---------------------------------------------------------------

def _base_python() -> str:
    """The interpreter the project's venv was made from (the same Python 3.10), else this one."""
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    return str(base if base.exists() else sys.executable)


def ensure_tools() -> Path:
    """.tools/venv with exactly requirements-tools.lock; a no-op when the lock has not changed."""
    TOOLS_DIR.mkdir(exist_ok=True)
    (TOOLS_DIR / ".gitignore").write_text("*\n")   # nothing of it belongs in git
    want = hashlib.sha256(TOOLS_LOCK.read_bytes()).hexdigest()
    stamp = TOOLS_VENV / ".requirements-tools.sha256"
    with open(TOOLS_DIR / ".lock", "w") as lock:    # two test runs at once build it once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text().strip() == want:
            return TOOLS_VENV
        shutil.rmtree(TOOLS_VENV, ignore_errors=True)
        for command in ([_base_python(), "-m", "venv", str(TOOLS_VENV)],
                        [str(TOOLS_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
                         "--disable-pip-version-check", "--no-cache-dir", "--no-deps", "-r", str(TOOLS_LOCK)]):
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
        stamp.write_text(want + "\n")
    return TOOLS_VENV


def tool(name: str) -> str:
    return str(ensure_tools() / "bin" / name)


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120, **kwargs)


def _tool_findings(command: list[str]) -> list[str]:
    done = _run(command)
    if done.returncode == 0:
        return []
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    return lines or [f"{' '.join(command)} exited with {done.returncode}"]


# --- the external checkers ------------------------------------------------------------------------

def k8s_manifest_files() -> list[Path]:
    return sorted(K8S.glob("*.yaml"))


def validate_k8s(version: str) -> list[str]:
    """kubernetes-validate --strict: every resource against the API schema of `version`."""
    files = [str(path.relative_to(ROOT)) for path in k8s_manifest_files()]
    return _tool_findings([tool("kubernetes-validate"), "--strict", "--quiet", "-k", version, *files])


def lint_dockerfiles() -> list[str]:
    return _tool_findings([tool("hadolint"), "--no-color", "-c", str(DEPLOY / ".hadolint.yaml"),
                           *map(str, DOCKERFILES)])


def lint_shell_scripts() -> list[str]:
    return _tool_findings([tool("shellcheck"), "--shell=sh", *map(str, SHELL_SCRIPTS)])


def compose_command() -> Optional[list[str]]:
    """`docker compose` (the v2 plugin) or a standalone docker-compose, whichever answers."""
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        try:
            if _run([*command, "version"]).returncode == 0:
                return command
        except (OSError, subprocess.TimeoutExpired):
            continue
    return None


def env_names(path: Path = ENV_EXAMPLE) -> list[str]:
    """The variables a template lists (NAME= lines, commented optional ones left out)."""
    return [line.split("=", 1)[0] for line in path.read_text().splitlines()
            if re.match(r"^[A-Z][A-Z0-9_]*=", line)]


def dummy_env_file(path: Path, leave_out: tuple[str, ...] = ()) -> Path:
    """A compose .env with a fresh random value for every variable of env.example."""
    lines = [f"{name}={secrets.token_hex(24)}" for name in env_names() if name not in leave_out]
    path.write_text("\n".join(lines) + "\n")
    return path


def compose_config(command: list[str], env_file: Path) -> subprocess.CompletedProcess:
    # Only PATH and HOME from this process: a RASA_TOKEN exported here must not fill a gap.
    environ = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    return _run([*command, "-f", str(COMPOSE_FILE), "--env-file", str(env_file), "config"], env=environ)


# --- reading the manifests ------------------------------------------------------------------------

def k8s_documents() -> list[tuple[Path, dict]]:
    return [(path, doc) for path in k8s_manifest_files()
            for doc in yaml.safe_load_all(path.read_text()) if doc]


def _named(doc: dict) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def pod_specs(documents) -> Iterator[tuple[str, dict]]:
    for _, doc in documents:
        if doc["kind"] in WORKLOAD_KINDS:
            yield _named(doc), doc["spec"]["template"]["spec"]


def containers(pod: dict) -> Iterator[tuple[dict, bool]]:
    for container in pod.get("initContainers", []):
        yield container, True
    for container in pod["containers"]:
        yield container, False


def _container_findings(where: str, pod: dict, container: dict, init: bool) -> Iterator[str]:
    name = f"{where} container {container['name']}"
    resources = container.get("resources", {})
    for kind in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            value = str(resources.get(kind, {}).get(resource, ""))
            if not QUANTITY.match(value):
                yield f"{name}: resources.{kind}.{resource} missing or not a quantity ({value!r})"
    if not init:
        for probe in ("livenessProbe", "readinessProbe"):
            if probe not in container:
                yield f"{name}: no {probe}"
    context = container.get("securityContext", {})
    if context.get("allowPrivilegeEscalation") is not False:
        yield f"{name}: securityContext.allowPrivilegeEscalation must be false"
    if context.get("capabilities", {}).get("drop") != ["ALL"]:
        yield f"{name}: securityContext.capabilities.drop must be [ALL]"
    if context.get("readOnlyRootFilesystem") is not True and container["name"] not in WRITABLE_ROOT:
        yield f"{name}: securityContext.readOnlyRootFilesystem must be true"
    image = container["image"]
    if image != OWN_IMAGE and (not PINNED_IMAGE.match(image) or ":" not in image.split("/")[-1]):
        yield f"{name}: image {image!r} is not pinned to an exact version or digest"
    for variable in container.get("env", []):
        if SECRET_NAME.search(variable["name"]) and "secretKeyRef" not in variable.get("valueFrom", {}):
            yield f"{name}: {variable['name']} must come from a Secret (valueFrom.secretKeyRef)"
        value = variable.get("value", "")
        if "://" in value and "@" in value and not re.search(r"://[^:/@]*:\$\([A-Z_]+\)@", value):
            yield f"{name}: {variable['name']} holds a URL with credentials that do not come from a Secret"


def workload_findings(documents) -> list[str]:
    """Probes, requests and limits, non-root, no privilege, pinned images, secrets from Secrets."""
    findings = []
    for where, pod in pod_specs(documents):
        context = pod.get("securityContext", {})
        if context.get("runAsNonRoot") is not True:
            findings.append(f"{where}: securityContext.runAsNonRoot must be true")
        if context.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            findings.append(f"{where}: securityContext.seccompProfile must be RuntimeDefault")
        if pod.get("automountServiceAccountToken") is not False:
            findings.append(f"{where}: automountServiceAccountToken must be false (no Kubernetes API access)")
        for container, init in containers(pod):
            findings.extend(_container_findings(where, pod, container, init))
    return findings


def secret_reference_findings(documents) -> list[str]:
    """Every secret a manifest names is generated by kustomization.yaml, and every key it reads
    is in the Secret's template."""
    kustomization = yaml.safe_load(KUSTOMIZATION.read_text())
    generated = {g["name"]: g for g in kustomization.get("secretGenerator", [])}
    template_keys = set(env_names(SECRETS_EXAMPLE))
    findings = []
    for where, pod in pod_specs(documents):
        for container, _ in containers(pod):
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if not ref:
                    continue
                if ref["name"] not in generated:
                    findings.append(f"{where}: Secret {ref['name']} is not made by kustomization.yaml")
                elif ref["name"] == "store-secrets" and ref["key"] not in template_keys:
                    findings.append(f"{where}: key {ref['key']} is missing from {SECRETS_EXAMPLE.name}")
        for volume in pod.get("volumes", []):
            name = volume.get("secret", {}).get("secretName")
            if name and name not in generated:
                findings.append(f"{where}: Secret {name} is not made by kustomization.yaml")
    return findings


def kustomization_findings() -> list[str]:
    kustomization = yaml.safe_load(KUSTOMIZATION.read_text())
    listed = {DEPLOY / name for name in kustomization["resources"]}
    findings = [f"{path.relative_to(ROOT)} is not in kustomization.yaml's resources"
                for path in k8s_manifest_files() if path not in listed]
    findings += [f"kustomization.yaml lists {path.relative_to(ROOT)}, which does not exist"
                 for path in sorted(listed) if not path.exists()]
    for generator in kustomization.get("configMapGenerator", []):
        for entry in generator.get("files", []):
            if not (DEPLOY / entry.split("=", 1)[-1]).exists():
                findings.append(f"ConfigMap {generator['name']}: {entry} does not exist")
    for generator in kustomization.get("secretGenerator", []):
        for entry in [*generator.get("files", []), *generator.get("envs", [])]:
            relative = entry.split("=", 1)[-1]
            if not relative.startswith("k8s/secrets/"):
                findings.append(f"Secret {generator['name']}: {relative} must be an operator's file in k8s/secrets/")
    return findings


def _members(variable: str, documents) -> list[str]:
    for where, pod in pod_specs(documents):
        for container, _ in containers(pod):
            for env in container.get("env", []):
                if env["name"] == variable:
                    return env["value"].split()
    return []


def scaling_findings(documents) -> list[str]:
    """Console and Rasa autoscale, every pod name an autoscaler may create is an nginx upstream
    member, and every multi-pod workload has a PodDisruptionBudget."""
    by_kind: dict[str, dict[str, dict]] = {}
    for _, doc in documents:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    autoscalers = {hpa["spec"]["scaleTargetRef"]["name"]: hpa for hpa in by_kind.get("HorizontalPodAutoscaler", {}).values()}
    findings = []
    for name in ("console", "rasa"):
        if name not in autoscalers:
            findings.append(f"no HorizontalPodAutoscaler for {name}")
            continue
        if autoscalers[name]["apiVersion"] != "autoscaling/v2":
            findings.append(f"HorizontalPodAutoscaler {name} must be autoscaling/v2")
        pods = [f"{name}-{i}" for i in range(autoscalers[name]["spec"]["maxReplicas"])]
        variable = {"console": "CONSOLE_SERVERS", "rasa": "RASA_SERVERS"}[name]
        members = [member.split(".")[0] for member in _members(variable, documents)]
        if members != pods:
            findings.append(f"nginx {variable} lists {members}, the autoscaler may run {pods}")
    urls = by_kind.get("ConfigMap", {}).get("store-env", {}).get("data", {}).get("RASA_INSTANCE_URLS", "")
    instances = [re.sub(r"^https?://", "", url).split(".")[0] for url in urls.split()]
    if "rasa" in autoscalers and instances != [f"rasa-{i}" for i in range(autoscalers["rasa"]["spec"]["maxReplicas"])]:
        findings.append(f"RASA_INSTANCE_URLS lists {instances}, not every pod the Rasa autoscaler may run")
    budgets = {tuple(sorted(pdb["spec"]["selector"]["matchLabels"].items()))
               for pdb in by_kind.get("PodDisruptionBudget", {}).values()}
    for kind in WORKLOAD_KINDS:
        for name, workload in by_kind.get(kind, {}).items():
            replicas = max(workload["spec"].get("replicas", 1), autoscalers.get(name, {}).get("spec", {}).get("minReplicas", 1))
            if replicas > 1 and tuple(sorted(workload["spec"]["selector"]["matchLabels"].items())) not in budgets:
                findings.append(f"{kind}/{name} runs {replicas} pods without a PodDisruptionBudget")
    return findings


def _ingress_sources(documents, component: str) -> Optional[set[str]]:
    """The components allowed to open connections to `component` (None: no policy selects it)."""
    sources: Optional[set[str]] = None
    for _, doc in documents:
        if doc["kind"] != "NetworkPolicy":
            continue
        selected = doc["spec"]["podSelector"].get("matchLabels", {})
        if selected.get("app.kubernetes.io/component") != component:
            continue
        sources = sources or set()
        for rule in doc["spec"].get("ingress", []):
            peers = rule.get("from")
            if peers is None:
                sources.add("*")
            for peer in peers or []:
                if "namespaceSelector" in peer or "ipBlock" in peer:
                    sources.add("*")
                else:
                    sources.add(peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/component", "*"))
    return sources


EXPECTED_INGRESS = {"console": {"nginx"}, "rasa": {"nginx", "console"}, "actions": {"rasa"},
                    "postgres": {"rasa", "console", "actions"}, "redis": {"rasa", "console"},
                    "rabbitmq": {"rasa"}}


def network_policy_findings(documents) -> list[str]:
    findings = []
    default_deny = [doc for _, doc in documents if doc["kind"] == "NetworkPolicy"
                    and doc["spec"]["podSelector"] == {} and not doc["spec"].get("ingress")
                    and "Ingress" in doc["spec"].get("policyTypes", [])]
    if not default_deny:
        findings.append("no default-deny NetworkPolicy for ingress")
    for component, expected in EXPECTED_INGRESS.items():
        sources = _ingress_sources(documents, component)
        if sources != expected:
            findings.append(f"{component} accepts connections from {sorted(sources or [])}, expected {sorted(expected)}")
    return findings


# --- compose, the Dockerfile and the repository's texts -------------------------------------------

def compose_findings(path: Path = COMPOSE_FILE) -> list[str]:
    """Healthchecks, limits, secrets only through `${NAME:?…}`, only nginx published."""
    raw = path.read_text()
    compose = yaml.safe_load(raw)          # anchors and merge keys resolved
    findings = []
    for name, service in compose["services"].items():
        uses_app_image = "build" in service       # the image's HEALTHCHECK (deploy/Dockerfile)
        if not (uses_app_image or "healthcheck" in service):
            findings.append(f"compose service {name}: no healthcheck")
        if not service.get("deploy", {}).get("resources", {}).get("limits", {}).get("memory"):
            findings.append(f"compose service {name}: no memory limit (deploy.resources.limits)")
        if "ports" in service and name != "nginx":
            findings.append(f"compose service {name}: publishes ports; only nginx may")
        if "no-new-privileges:true" not in service.get("security_opt", []):
            findings.append(f"compose service {name}: security_opt no-new-privileges:true missing")
        for variable, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(variable) and not re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", str(value)):
                findings.append(f"compose service {name}: {variable} must be ${{NAME:?message}} from deploy/.env")
    # Every ${NAME} in the file is required (`:?`) unless it is a documented optional setting.
    for match in re.finditer(r"\$\{([A-Z_]+)(:?[-?])?[^}]*\}", raw):
        if match.group(2) != ":?" and match.group(1) not in {"STORE_IMAGE", "STORE_HTTPS_PORT"}:
            findings.append(f"docker-compose.yml: ${{{match.group(1)}}} has a default or none: use ${{NAME:?message}}")
    return findings


def dockerfile_findings(path: Path) -> list[str]:
    """The rules hadolint does not make: non-root, HEALTHCHECK, exact base images, no secrets or
    models in layers, --no-deps installs from the lock."""
    text = path.read_text()
    instructions = [line.strip() for line in re.sub(r"\\\n", " ", text).splitlines()
                    if line.strip() and not line.lstrip().startswith("#")]
    findings = []
    stages = [line for line in instructions if line.upper().startswith("FROM ")]
    for stage in stages:
        image = stage.split()[1]
        if not re.match(r"^[\w./-]+:\d+(\.\d+){2}[\w.-]*(@sha256:[0-9a-f]{64})?$", image):
            findings.append(f"{path.name}: {image} is not an exact version (x.y.z) or digest")
    final = instructions[instructions.index(stages[-1]):]
    users = [line.split()[1] for line in final if line.upper().startswith("USER ")]
    if not users or users[-1].split(":")[0] in {"root", "0"}:
        findings.append(f"{path.name}: the final stage must switch to a non-root USER")
    if not any(line.upper().startswith("HEALTHCHECK ") for line in final):
        findings.append(f"{path.name}: no HEALTHCHECK in the final stage")
    for line in instructions:
        upper = line.upper()
        if upper.startswith(("ENV ", "ARG ")) and re.search(r"(TOKEN|PASSWORD|SECRET)\w*\s*=", line, re.I):
            findings.append(f"{path.name}: a secret in a layer: {line}")
        if upper.startswith(("COPY ", "ADD ")) and re.search(r"\b(models|\.env|secrets?)\b", line):
            findings.append(f"{path.name}: copies models or secrets into a layer: {line}")
        if "pip install" in line and "--no-cache-dir" not in line:
            findings.append(f"{path.name}: pip install without --no-cache-dir")
        if "pip install" in line and "requirements.lock" in line and "--no-deps" not in line:
            findings.append(f"{path.name}: requirements.lock must be installed with --no-deps")
    return findings


def dockerignore_findings(path: Path) -> list[str]:
    patterns = {line.strip() for line in path.read_text().splitlines()
                if line.strip() and not line.startswith("#")}
    required = {"models", ".venv", "var", ".run", ".tools", "**/.env", "**/*.env", "deploy/k8s/secrets",
                "deploy/tls", "deploy/accounts"}
    return [f"{path.name} does not keep {name} out of the build context" for name in sorted(required - patterns)]


def deployment_files() -> list[Path]:
    """The committed files under deploy/ (the operator's secrets, certificates and accounts left out)."""
    return sorted(path for path in DEPLOY.rglob("*") if path.is_file() and path.name != ".env"
                  and not (path.parent.name in {"secrets", "tls", "accounts"} and not path.name.endswith(".example")))


def literal_secret_findings(paths: Optional[list[Path]] = None) -> list[str]:
    """No token, password or wildcard CORS written into any deployment file."""
    findings = []
    for path in deployment_files() if paths is None else paths:
        relative = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        text = path.read_text(errors="replace")
        if path.suffix != ".md" and CORS_WILDCARD.search(text):   # the README names what is avoided
            findings.append(f"{relative}: CORS for every origin ('*')")
        if re.search(r"rasaToken|changeme|password123", text, re.I):
            findings.append(f"{relative}: a well-known default token or password")
        for match in LONG_RANDOM.finditer(text):
            word = match.group(0)
            if re.search(r"\d", word) and re.search(r"[a-z]", word) and len(set(word)) > 12:
                findings.append(f"{relative}: looks like a literal secret: {word[:6]}…")
        for match in re.finditer(r"^[ \t]*([A-Z][A-Z0-9_]*(TOKEN|PASSWORD|SECRET|PASS))[ \t]*[=:][ \t]*(\S+)", text, re.M):
            value = match.group(3)
            if not (value.startswith(("${", "$(", '"$', "'$")) or value.startswith("{secretKeyRef")
                    or value in {"|", ">-"}):
                findings.append(f"{relative}: {match.group(1)} has a literal value")
    return findings


def rasa_start_findings(path: Path = DEPLOY / "bin" / "start.sh") -> list[str]:
    """Rasa's HTTP API only with a token that must be set, and no CORS origin."""
    text = path.read_text()
    command = re.search(r"exec python -m rasa_server_plugins run(?:[^\n]*\\\n)*[^\n]*", text)
    findings = []
    if not command:
        return ["deploy/bin/start.sh does not start Rasa through rasa_server_plugins"]
    line = command.group(0)
    if "--enable-api" in line and '--auth-token "$RASA_TOKEN"' not in line:
        findings.append("deploy/bin/start.sh: Rasa's API without --auth-token")
    if '--cors ""' not in line:
        findings.append('deploy/bin/start.sh: Rasa must start with --cors "" (no origin)')
    if not re.search(r"require_token[^\n]*RASA_TOKEN", text):
        findings.append("deploy/bin/start.sh: an empty or short RASA_TOKEN is not refused")
    return findings


def all_findings() -> dict[str, list[str]]:
    documents = k8s_documents()
    results = {f"kubernetes-validate {v}": validate_k8s(v) for v in KUBERNETES_VERSIONS}
    results.update({
        "hadolint": lint_dockerfiles(),
        "shellcheck": lint_shell_scripts(),
        "workloads": workload_findings(documents),
        "secret references": secret_reference_findings(documents),
        "kustomization": kustomization_findings(),
        "scaling": scaling_findings(documents),
        "network policies": network_policy_findings(documents),
        "compose": compose_findings(),
        "Dockerfile rules": [f for path in DOCKERFILES for f in dockerfile_findings(path)],
        ".dockerignore": [f for path in DEPLOY.glob("*.dockerignore") for f in dockerignore_findings(path)],
        "literal secrets": literal_secret_findings(),
        "Rasa start": rasa_start_findings(),
    })
    command = compose_command()
    if command is None:
        results["docker compose config"] = []
        print("deploy_check: docker compose is not installed: `docker compose config` skipped", file=sys.stderr)
    else:
        env_file = dummy_env_file(TOOLS_DIR / "compose-check.env")
        done = compose_config(command, env_file)
        results["docker compose config"] = [] if done.returncode == 0 else done.stderr.strip().splitlines()
    return results


def main(argv: list[str]) -> int:
    if argv[1:] == ["tools"]:
        print(ensure_tools())
        return 0
    failed = 0
    for check, findings in all_findings().items():
        print(f"{'ok  ' if not findings else 'FAIL'} {check}")
        for finding in findings:
            print(f"     {finding}")
        failed += bool(findings)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
