"""moto_server, plus the CloudFormation handling of IAM managed policies that moto 5.2.5 lacks.

Run with build/venv/bin/python, with the same arguments as moto_server (-H 127.0.0.1 -p PORT), and
MOTO_IAM_LOAD_MANAGED_POLICIES=true so that AWS managed policy ARNs can be attached.

moto 5.2.5's CloudFormation (moto/iam/models.py):
- AWS::IAM::Role ignores ManagedPolicyArns, so ListAttachedRolePolicies would never show them.
- AWS::IAM::ManagedPolicy has no delete handler: the policy stays attached, and the role's deletion,
  and so the stack's, then fails with DeleteConflict.
The patches do what CloudFormation does: attach the ARNs when the role is created, detach them before
it is deleted, and detach and delete a managed policy when its resource is deleted. Nothing else changes.
"""
import os
import sys
import threading
import time

from moto.iam import models as iam
from moto.server import main
from moto.utilities.utils import get_partition

_create_role = iam.Role.create_from_cloudformation_json
_delete_role = iam.Role.delete_from_cloudformation_json


def _backend(account_id, region_name):
    return iam.iam_backends[account_id][get_partition(region_name)]


def create_role(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    role = _create_role(resource_name, cloudformation_json, account_id, region_name, **kwargs)
    arns = cloudformation_json["Properties"].get("ManagedPolicyArns", [])
    backend = _backend(account_id, region_name)
    for arn in arns:
        if arn not in role.managed_policies:
            backend.attach_role_policy(arn, role.name)
    # the delete handler gets the unresolved template, so remember what the resource attached
    role.cfn_managed_policy_arns = list(arns)
    return role


def delete_role(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = _backend(account_id, region_name)
    for role in list(backend.roles.values()):
        if role.name == resource_name:
            for arn in getattr(role, "cfn_managed_policy_arns", []):
                if arn in role.managed_policies:
                    backend.detach_role_policy(arn, role.name)
    _delete_role(resource_name, cloudformation_json, account_id, region_name)


def delete_managed_policy(cls, resource_name, cloudformation_json, account_id, region_name):
    # the physical id of AWS::IAM::ManagedPolicy is its ARN
    backend = _backend(account_id, region_name)
    policy = backend.managed_policies.get(resource_name)
    if policy is None:
        return
    for entity in [*backend.roles.values(), *backend.users.values(), *backend.groups.values()]:
        if policy.arn in entity.managed_policies:
            policy.detach_from(entity)
    backend.delete_policy(policy.arn)


for name in ("create_from_cloudformation_json", "delete_from_cloudformation_json"):
    # fail loudly if a moto upgrade renames what is patched
    assert name in vars(iam.Role), f"moto.iam.models.Role.{name} is gone: review {__file__}"
assert "delete_from_cloudformation_json" not in vars(iam.ManagedPolicy), (
    f"moto.iam.models.ManagedPolicy now deletes itself: review {__file__}")

iam.Role.create_from_cloudformation_json = classmethod(create_role)
iam.Role.delete_from_cloudformation_json = classmethod(delete_role)
iam.ManagedPolicy.delete_from_cloudformation_json = classmethod(delete_managed_policy)


def exit_with_parent():
    # the test process may die without stopping the server (SIGKILL, a crashed worker): follow it
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


if __name__ == "__main__":
    threading.Thread(target=exit_with_parent, daemon=True).start()
    sys.exit(main(sys.argv[1:]))
