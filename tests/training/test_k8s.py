"""Training on Kubernetes, tested up to the cluster: the pod spec of the settings, the environment of
configs/k8s.yaml, and the pod that the asset's real PipesK8sClient sends to the API server (a recording
server on loopback that stands where the cluster would be, and refuses the pod)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import pytest
from dagster_k8s.pipes import build_pod_body

from assets.resources import Runner, StorageResource, TrainingResource
from assets.sft_model import sft_model
from pipelines.environment import load_executor, load_resources
from pipelines.jobs import build_jobs
from training.k8s import PodSettings, pod_spec

ROOT = Path(__file__).resolve().parents[2]
GPU_POD = PodSettings(
    image="registry/r1:gpu",
    gpus=8,
    memory="500Gi",
    shm_size="64Gi",
    work_volume_claim="work",
    work_mount_path="/work",
    node_selector={"nvidia.com/gpu.product": "H100"},
    tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
    env_secrets=["r1-env"],
)


def test_the_pod_spec_is_one_that_dagster_k8s_builds_a_pod_from():
    pod = build_pod_body(
        "train-1", "registry/r1:gpu", ["python", "-m", "training.sft"], {}, None, pod_spec(GPU_POD)
    )
    [container] = pod.spec.containers
    assert container.resources.limits == {"nvidia.com/gpu": "8", "memory": "500Gi"}
    assert [(m.name, m.mount_path) for m in container.volume_mounts] == [
        ("work", "/work"),
        ("shm", "/dev/shm"),
    ]
    assert pod.spec.volumes[0].persistent_volume_claim.claim_name == "work"
    assert container.env_from[0].secret_ref.name == "r1-env" and pod.spec.restart_policy == "Never"
    assert (
        pod.spec.node_selector == {"nvidia.com/gpu.product": "H100"}
        and pod.spec.tolerations[0].key == "nvidia.com/gpu"
    )
    with pytest.raises(ValueError, match="work_mount_path"):
        pod_spec(PodSettings(image="x", work_volume_claim="work"))


def test_the_kubernetes_environment_loads_with_its_executor_and_pods():
    config = ROOT / "configs" / "k8s.yaml"
    resources = load_resources(config)
    training = resources["training"]
    assert training.runner is Runner.K8S and PodSettings(**training.k8s).gpus == 8
    assert training.command("training.sft", "--recipe", "r")[:3] == [
        "python",
        "-m",
        "accelerate.commands.launch",
    ]
    collection_job, dataset_job = build_jobs(resources["teacher"].embedded, load_executor(config))
    assert collection_job.executor_def.name == dataset_job.executor_def.name == "k8s"
    assert build_jobs(True)[0].executor_def.name == "in_process"  # without the section, the jobs' own
    # the whole code location under that environment, as the chart's code server loads it
    done = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "pipelines.definitions"],
        cwd=ROOT,
        env={**os.environ, "PIPELINE_CONFIG": str(config)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


class _ApiServer(BaseHTTPRequestHandler):
    """Where the cluster's API server would be: keeps what is posted, refuses it."""

    posted: list[tuple[str, dict]] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.posted.append((self.path, json.loads(body)))
        self.send_response(403)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"kind": "Status", "status": "Failure", "reason": "Forbidden", "code": 403}')

    def log_message(self, *args):
        pass


def test_a_training_asset_sends_its_pod_to_the_cluster(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ApiServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{server.server_port}"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        )
    )
    dataset = tmp_path / "data" / "distill_dataset"
    dataset.mkdir(parents=True)
    (dataset / "dataset_info.json").write_text(json.dumps({"version": "v1"}))
    pod = {"image": "registry/r1:gpu", "gpus": 8, "namespace": "r1", "kubeconfig_file": str(kubeconfig)}
    training = TrainingResource(runner="k8s", k8s=pod)
    result = dg.materialize(
        [sft_model],
        resources={
            "storage": StorageResource(data_root=str(tmp_path / "data")),
            "training": training,
            "pipes_subprocess_client": dg.PipesSubprocessClient(),
        },
        raise_on_error=False,
    )
    server.shutdown()
    assert not result.success
    [(path, body)] = _ApiServer.posted
    container = body["spec"]["containers"][0]
    assert path == "/api/v1/namespaces/r1/pods"
    assert container["image"] == "registry/r1:gpu"
    assert container["command"][:3] == ["python", "-m", "training.sft"]
    assert container["command"][container["command"].index("--dataset") + 1] == str(dataset)
    assert container["resources"]["limits"] == {"nvidia.com/gpu": "8"}
    assert {e["name"] for e in container["env"]} >= {"DAGSTER_PIPES_CONTEXT", "DAGSTER_PIPES_MESSAGES"}
