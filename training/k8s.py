"""The pod a training or evaluation script runs in on Kubernetes (pure logic; launched by Dagster's
``PipesK8sClient`` when ``training.runner`` is ``k8s``, see ``configs/k8s.yaml``).

The scripts read the dataset and write checkpoints under the work dir: ``work_volume_claim`` is a
PersistentVolumeClaim that the code location and the training pods mount at the same path
(``work_mount_path``, the ``storage.work_dir``), so the paths the asset passes mean the same in the pod.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PodSettings:
    image: str  # the project's image (configs/k8s/Dockerfile), with the GPU lock for GPU nodes
    namespace: str = "default"
    gpus: int = 0  # nvidia.com/gpu limit of the container
    cpu: str = ""  # e.g. "32": requests = limits when set
    memory: str = ""  # e.g. "500Gi"
    work_volume_claim: str = ""  # a PVC mounted at work_mount_path
    work_mount_path: str = ""
    shm_size: str = (
        ""  # a memory-backed /dev/shm of this size (torch's data loaders and NCCL need more than 64M)
    )
    node_selector: dict[str, str] = field(default_factory=dict)
    tolerations: list[dict[str, Any]] = field(default_factory=list)
    env_secrets: list[str] = field(default_factory=list)  # Secrets whose keys become the env (HF_TOKEN, ...)
    service_account: str = ""
    # how the client reaches the cluster: in a pod, its service account; else a kubeconfig
    load_incluster_config: bool | None = None
    kubeconfig_file: str | None = None
    kube_context: str | None = None


def pod_spec(settings: PodSettings) -> dict[str, Any]:
    """The base pod spec (camelCase, as in a manifest): the container's resources, volumes, env from
    Secrets, and where the pod may run. The image and command are set by the client."""
    limits = {
        **({"nvidia.com/gpu": str(settings.gpus)} if settings.gpus else {}),
        **({"cpu": settings.cpu} if settings.cpu else {}),
        **({"memory": settings.memory} if settings.memory else {}),
    }
    container: dict[str, Any] = {"name": "train"}
    if limits:
        container["resources"] = {"limits": limits, "requests": dict(limits)}
    mounts, volumes = [], []
    if settings.work_volume_claim:
        if not settings.work_mount_path:
            raise ValueError(
                "work_volume_claim needs work_mount_path (the storage.work_dir of the code location)"
            )
        mounts.append({"name": "work", "mountPath": settings.work_mount_path})
        volumes.append({"name": "work", "persistentVolumeClaim": {"claimName": settings.work_volume_claim}})
    if settings.shm_size:
        mounts.append({"name": "shm", "mountPath": "/dev/shm"})
        volumes.append({"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": settings.shm_size}})
    if mounts:
        container["volumeMounts"] = mounts
    if settings.env_secrets:
        container["envFrom"] = [{"secretRef": {"name": name}} for name in settings.env_secrets]
    spec: dict[str, Any] = {"containers": [container], "restartPolicy": "Never"}
    if volumes:
        spec["volumes"] = volumes
    if settings.node_selector:
        spec["nodeSelector"] = dict(settings.node_selector)
    if settings.tolerations:
        spec["tolerations"] = list(settings.tolerations)
    if settings.service_account:
        spec["serviceAccountName"] = settings.service_account
    return spec
