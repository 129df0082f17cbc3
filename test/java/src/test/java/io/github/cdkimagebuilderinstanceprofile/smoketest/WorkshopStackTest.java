package io.github.cdkimagebuilderinstanceprofile.smoketest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;

/**
 * The workshop stack synthesized from Java, asserted on its CloudFormation template. The construct's S3
 * statements are looked for in every AWS::IAM::Policy and AWS::IAM::ManagedPolicy attached to the role, so
 * that the test does not depend on which of the two holds them.
 */
class WorkshopStackTest {
    private static Template template;
    private static String roleId;
    private static String bucketArn;

    @BeforeAll
    static void synthesize() {
        App app = new App();
        WorkshopStack stack = new WorkshopStack(app, "Workshop");
        template = Template.fromStack(stack);
        roleId = onlyKey(template.findResources("AWS::IAM::Role"));
        bucketArn = "${" + onlyKey(template.findResources("AWS::S3::Bucket")) + ".Arn}";
    }

    @Test
    void theInstanceProfileIsNamedAfterTheRoleAndHoldsIt() {
        Map<String, Map<String, Object>> profiles = template.findResources("AWS::IAM::InstanceProfile");
        assertEquals(1, profiles.size(), "instance profiles: " + profiles.keySet());
        Map<String, Object> props = properties(profiles.values().iterator().next());
        assertEquals("TeamRole", props.get("InstanceProfileName"));
        assertEquals(List.of("${" + roleId + "}"), flattenAll(props.get("Roles")));
    }

    @Test
    void theRoleHasTheAwsManagedPoliciesThatImageBuilderRequires() {
        List<String> arns = flattenAll(properties(template.findResources("AWS::IAM::Role").get(roleId)).get("ManagedPolicyArns"));
        for (String name : List.of("AmazonSSMManagedInstanceCore", "EC2InstanceProfileForImageBuilder")) {
            assertTrue(arns.contains("arn:${AWS::Partition}:iam::aws:policy/" + name), name + " not in " + arns);
        }
    }

    @Test
    void theRoleReadsTheArtifactFolderAndTheComponentsDownloadAndWritesTheLogFolder() {
        List<Map<String, Object>> statements = statementsAttachedTo(template, roleId);

        assertAllowed(statements, "s3:GetObject", bucketArn + "/components/*");
        assertAllowed(statements, "s3:PutObject", bucketArn + "/logs/*");
        assertAllowed(statements, "s3:GetObject", "arn:${AWS::Partition}:s3:::team-artifacts/app/install.sh");
        Map<String, Object> list = assertAllowed(statements, "s3:ListBucket", bucketArn);
        assertEquals(List.of("components/*"), flattenAll(at(list, "Condition", "StringLike", "s3:prefix")));
    }

    @Test
    void theRoleGetsNoS3AccessBeyondThoseFolders() {
        for (Map<String, Object> statement : statementsAttachedTo(template, roleId)) {
            if (!flattenAll(statement.get("Action")).stream().anyMatch(a -> a.startsWith("s3:"))) {
                continue;
            }
            List<String> resources = flattenAll(statement.get("Resource"));
            assertFalse(resources.contains("*"), "S3 on every resource: " + statement);
            for (String resource : resources) {
                assertTrue(resource.equals(bucketArn) || resource.equals(bucketArn + "/components/*")
                        || resource.equals(bucketArn + "/logs/*") || resource.endsWith(":s3:::team-artifacts/app/install.sh"),
                        "unexpected S3 resource " + resource);
                if (resource.endsWith("/logs/*")) {
                    assertEquals(List.of("s3:PutObject"), flattenAll(statement.get("Action")), "the log folder is write-only");
                }
            }
        }
    }

    @Test
    void statementsAreFoundInInlineAndInCustomerManagedPolicies() {
        Stack stack = new Stack(new App(), "Policies");
        Role role = Role.Builder.create(stack, "Role").assumedBy(new ServicePrincipal("ec2.amazonaws.com")).build();
        ManagedPolicy.Builder.create(stack, "ByRoles").roles(List.of(role)).statements(List.of(getObject("a"))).build();
        role.addManagedPolicy(ManagedPolicy.Builder.create(stack, "ByArn").statements(List.of(getObject("b"))).build());
        role.addToPrincipalPolicy(getObject("c"));
        Template policies = Template.fromStack(stack);

        List<Map<String, Object>> statements = statementsAttachedTo(policies, onlyKey(policies.findResources("AWS::IAM::Role")));

        for (String key : List.of("a", "b", "c")) {
            assertAllowed(statements, "s3:GetObject", "arn:aws:s3:::bucket/" + key);
        }
    }

    private static PolicyStatement getObject(String key) {
        return PolicyStatement.Builder.create().actions(List.of("s3:GetObject")).resources(List.of("arn:aws:s3:::bucket/" + key)).build();
    }

    /** Statements of every inline or customer managed policy of the template that applies to the role. */
    private static List<Map<String, Object>> statementsAttachedTo(Template template, String roleId) {
        List<String> attached = flattenAll(properties(template.findResources("AWS::IAM::Role").get(roleId)).get("ManagedPolicyArns"));
        List<Map<String, Object>> statements = new ArrayList<>();
        for (String type : List.of("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")) {
            for (Map.Entry<String, Map<String, Object>> policy : template.findResources(type).entrySet()) {
                Map<String, Object> props = properties(policy.getValue());
                boolean onTheRole = flattenAll(props.get("Roles")).contains("${" + roleId + "}")
                        || attached.contains("${" + policy.getKey() + "}");
                if (onTheRole) {
                    statements.addAll(asList(at(props, "PolicyDocument", "Statement")));
                }
            }
        }
        assertFalse(statements.isEmpty(), "no policy of the template is attached to the role");
        return statements;
    }

    private static Map<String, Object> assertAllowed(List<Map<String, Object>> statements, String action, String resource) {
        for (Map<String, Object> statement : statements) {
            if ("Allow".equals(statement.get("Effect")) && flattenAll(statement.get("Action")).contains(action)
                    && flattenAll(statement.get("Resource")).contains(resource)) {
                return statement;
            }
        }
        throw new AssertionError("no statement allows " + action + " on " + resource + " in " + statements);
    }

    /**
     * A value of the template as text: Fn::Join joined, {"Ref": X} as ${X} and {"Fn::GetAtt": [X, Y]} as ${X.Y}.
     */
    @SuppressWarnings("unchecked")
    static String flatten(Object value) {
        if (value instanceof String) {
            return (String) value;
        }
        if (value instanceof Map) {
            Map<String, Object> map = (Map<String, Object>) value;
            if (map.containsKey("Ref")) {
                return "${" + map.get("Ref") + "}";
            }
            if (map.containsKey("Fn::GetAtt")) {
                List<Object> att = (List<Object>) map.get("Fn::GetAtt");
                return "${" + att.get(0) + "." + att.get(1) + "}";
            }
            if (map.containsKey("Fn::Join")) {
                List<Object> join = (List<Object>) map.get("Fn::Join");
                return ((List<Object>) join.get(1)).stream().map(WorkshopStackTest::flatten)
                        .collect(Collectors.joining((String) join.get(0)));
            }
        }
        return String.valueOf(value);
    }

    /** A value that may be one item or a list of them, flattened. */
    static List<String> flattenAll(Object value) {
        if (value == null) {
            return List.of();
        }
        return asList(value).stream().map(WorkshopStackTest::flatten).collect(Collectors.toList());
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> asList(Object value) {
        return value instanceof List ? (List<T>) value : List.of((T) value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(Map<String, Object> resource) {
        return (Map<String, Object>) resource.get("Properties");
    }

    @SuppressWarnings("unchecked")
    private static Object at(Map<String, Object> map, String... keys) {
        Object value = map;
        for (String key : keys) {
            value = value == null ? null : ((Map<String, Object>) value).get(key);
        }
        return value;
    }

    private static String onlyKey(Map<String, Map<String, Object>> resources) {
        assertEquals(1, resources.size(), "expected one resource, got " + resources.keySet());
        return resources.keySet().iterator().next();
    }
}
