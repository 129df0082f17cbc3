"""The construct as a Python CDK user calls it, from the built wheel."""
import re
from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_imagebuilder as imagebuilder
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from cdk_imagebuilder_instance_profile import BucketLocation, ImageBuilderInstanceProfile


def partition_arn(name):
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::aws:policy/{name}"]]}


README = Path(__file__).resolve().parents[2] / "README.md"


def readme_python_example(containing=None):
    """A Python sample of README.md (the first, or the first that holds `containing`), so that the tests run
    exactly what users read."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    blocks = [b for b in blocks if containing is None or containing in b]
    assert blocks, f"README.md has no Python example{'' if containing is None else ' with ' + containing}"
    return blocks[0]


def workshop_stack():
    """README's quick start in Python, a whole program: the workshop profile, an alpha L2 pipeline, the check."""
    scope = {}

    exec(readme_python_example("ComponentAccessChecks()"), scope)  # noqa: S102 - our own README

    return scope["stack"], scope["bucket"], scope["profile"]


def test_the_workshop_stack_has_the_role_the_profile_and_the_grants():
    stack, _, profile = workshop_stack()

    template = Template.from_stack(stack)

    template.has_resource_properties("AWS::IAM::Role", {
        "RoleName": "TeamRole",
        "AssumeRolePolicyDocument": {"Statement": [Match.object_like({"Principal": {"Service": "ec2.amazonaws.com"}})]},
        "ManagedPolicyArns": [
            partition_arn("AmazonSSMManagedInstanceCore"),
            partition_arn("EC2InstanceProfileForImageBuilder"),
        ],
    })
    template.has_resource_properties("AWS::IAM::InstanceProfile", {"InstanceProfileName": "TeamRole"})
    template.resource_count_is("AWS::ImageBuilder::ImagePipeline", 1)
    # ComponentAccessChecks proves that the pipeline's instances reach what its component downloads and the logs
    Annotations.from_stack(stack).has_no_error("*", Match.any_value())
    Annotations.from_stack(stack).has_no_warning("*", Match.any_value())
    template.has_resource_properties("AWS::ImageBuilder::InfrastructureConfiguration", {
        "InstanceProfileName": {"Ref": stack.get_logical_id(profile.instance_profile.node.default_child)},
    })
    # the construct's own statements are in a customer managed policy, not an inline one
    template.resource_count_is("AWS::IAM::Policy", 0)
    template.has_resource_properties("AWS::IAM::ManagedPolicy", {
        "PolicyDocument": {"Statement": Match.array_with([
            Match.object_like({"Action": "s3:GetObject", "Resource": Match.object_like({
                "Fn::Join": ["", [Match.any_value(), "/components/*"]]})}),
            Match.object_like({"Action": "s3:ListBucket", "Condition": {"StringLike": {"s3:prefix": ["components/*"]}}}),
            Match.object_like({"Action": "s3:PutObject", "Resource": Match.object_like({
                "Fn::Join": ["", [Match.any_value(), "/logs/*"]]})}),
        ])},
    })


def test_the_profile_is_grantable_from_python():
    stack, bucket, profile = workshop_stack()
    other = s3.Bucket(stack, "Reports")

    other.grant_read(profile)
    profile.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name("CloudWatchAgentServerPolicy"))

    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::IAM::Role", {
        "ManagedPolicyArns": Match.array_with([partition_arn("CloudWatchAgentServerPolicy")]),
    })
    template.has_resource_properties("AWS::IAM::Policy", {
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({"Action": Match.array_with(["s3:GetObject*"])})])},
    })


def test_from_instance_profile_name_gives_the_name_and_the_arn():
    stack = Stack(App(), "Hosted")

    existing = ImageBuilderInstanceProfile.from_instance_profile_name(stack, "Team", "TeamRole")

    assert existing.instance_profile_name == "TeamRole"
    assert stack.resolve(existing.instance_profile_arn) == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":instance-profile/TeamRole"]],
    }


def test_bad_input_raises_an_error_that_names_the_prop_and_shows_the_value():
    stack = Stack(App(), "Bad")

    with pytest.raises(Exception, match=re.escape("roleName must be 1-64 characters of [A-Za-z0-9+=,.@_-], got 'bad name!'")):
        ImageBuilderInstanceProfile(stack, "Profile", role_name="bad name!")

    bucket = s3.Bucket(stack, "Bucket")
    with pytest.raises(Exception, match=re.escape("artifactLocations[0].keyPrefix must not start with '/'")):
        ImageBuilderInstanceProfile(stack, "Other", artifact_locations=[BucketLocation(bucket=bucket, key_prefix="/components")])


def test_add_component_grants_what_the_component_downloads():
    stack = Stack(App(), "Components")
    profile = ImageBuilderInstanceProfile(stack, "Profile")
    component = imagebuilder.CfnComponent(
        stack,
        "Component",
        name="install-app",
        platform="Linux",
        version="1.0.0",
        data="\n".join([
            "name: install-app",
            "schemaVersion: 1.0",
            "phases:",
            "  - name: build",
            "    steps:",
            "      - name: Fetch",
            "        action: S3Download",
            "        inputs:",
            "          - source: s3://team-artifacts/app/*",
            "            destination: /tmp/app",
        ]),
    )

    profile.add_component(component)

    Template.from_stack(stack).has_resource_properties("AWS::IAM::ManagedPolicy", {
        "PolicyDocument": {"Statement": Match.array_with([
            Match.object_like({"Action": "s3:GetObject", "Resource": {
                "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::team-artifacts/app/*"]]}}),
        ])},
    })


def test_read_all_parameters_false_and_add_parameter_from_readme():
    stack = Stack(App(), "Parameters")
    component = imagebuilder.CfnComponent(
        stack,
        "Component",
        name="print-region",
        platform="Linux",
        version="1.0.0",
        data="\n".join([
            "name: print-region",
            "schemaVersion: 1.0",
            "phases:",
            "  - name: build",
            "    steps:",
            "      - name: Print",
            "        action: ExecuteBash",
            "        inputs:",
            "          commands:",
            "            - echo {{ aws:ssm:/team/app/region }}",
        ]),
    )
    scope = {"self": stack, "component": component}

    exec(readme_python_example("read_all_parameters"), scope)  # noqa: S102 - our own README

    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::IAM::Role", {
        "ManagedPolicyArns": [
            partition_arn("AmazonSSMManagedEC2InstanceDefaultPolicy"),
            partition_arn("EC2InstanceProfileForImageBuilder"),
        ],
    })
    parameter_arn = {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":ssm:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, ":parameter/team/app/version",
    ]]}
    referenced_arn = {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":ssm:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, ":parameter/team/app/region",
    ]]}
    template.has_resource_properties("AWS::IAM::ManagedPolicy", {
        "PolicyDocument": {"Statement": Match.array_with([
            Match.object_like({"Action": "ssm:GetParameter", "Resource": Match.array_with([parameter_arn, referenced_arn])}),
            Match.object_like({"Action": "secretsmanager:GetSecretValue"}),
        ])},
    })


def test_the_alpha_infrastructure_configuration_from_readme_gets_the_profile_without_its_role():
    import aws_cdk.aws_imagebuilder_alpha as imagebuilderalpha  # installed by .ci/test-python.sh
    stack = Stack(App(), "Alpha")
    logs = s3.Bucket(stack, "Logs")
    component = imagebuilderalpha.Component(
        stack,
        "Component",
        platform=imagebuilderalpha.Platform.LINUX,
        data=imagebuilderalpha.ComponentData.from_inline("\n".join([
            "name: fetch",
            "schemaVersion: 1.0",
            "phases:",
            "  - name: build",
            "    steps:",
            "      - name: Fetch",
            "        action: S3Download",
            "        inputs:",
            "          - source: s3://team-artifacts/app/install.sh",
            "            destination: /tmp/install.sh",
        ])),
    )
    scope = {"self": stack, "logs": logs, "component": component}

    exec(readme_python_example("s3_bucket=logs"), scope)  # noqa: S102 - our own README

    template = Template.from_stack(stack)
    profile = scope["profile"]
    template.resource_count_is("AWS::IAM::Role", 1)
    template.resource_count_is("AWS::IAM::InstanceProfile", 1)
    template.has_resource_properties("AWS::ImageBuilder::InfrastructureConfiguration", {
        "InstanceProfileName": {"Ref": stack.get_logical_id(profile.instance_profile.node.default_child)},
    })
    # the alpha granted nothing: the role holds no inline policy, only the construct's write-only log folder
    template.resource_count_is("AWS::IAM::Policy", 0)
    statements = [s for p in template.find_resources("AWS::IAM::ManagedPolicy").values() for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert sorted(s["Action"] for s in statements) == ["s3:GetObject", "s3:PutObject"]
