package com.myorg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * README's Java quick start, run as `cdk synth` runs an app: main() writes the cloud assembly to CDK_OUTDIR,
 * which the pom sets for the tests. The template and the synthesis messages are read from there.
 */
class ImageBuilderAppTest {
    private static final Path OUTDIR = Path.of(System.getenv("CDK_OUTDIR"));
    private static Template template;

    @BeforeAll
    static void synthesize() throws IOException {
        // a cloud assembly of an earlier run must not pass for this one
        if (Files.isDirectory(OUTDIR)) {
            try (Stream<Path> files = Files.walk(OUTDIR)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
        ImageBuilderApp.main(new String[0]);
        template = Template.fromString(Files.readString(OUTDIR.resolve("ImageBuilderStack.template.json"), StandardCharsets.UTF_8));
    }

    @Test
    void theRoleIsTeamRoleThatOnlyEc2AssumesWithTheManagedPoliciesImageBuilderRequires() {
        template.hasResourceProperties("AWS::IAM::Role", Map.of(
                "RoleName", "TeamRole",
                "AssumeRolePolicyDocument", Map.of("Statement", List.of(Match.objectLike(Map.of(
                        "Action", "sts:AssumeRole", "Effect", "Allow", "Principal", Map.of("Service", "ec2.amazonaws.com"))))),
                "ManagedPolicyArns", List.of(awsManagedPolicy("AmazonSSMManagedInstanceCore"),
                        awsManagedPolicy("EC2InstanceProfileForImageBuilder"))));
    }

    @Test
    void thePipelinesInfrastructureConfigurationUsesTheTeamRoleInstanceProfile() {
        Map<String, Map<String, Object>> profiles = template.findResources("AWS::IAM::InstanceProfile",
                Map.of("Properties", Match.objectLike(Map.of("InstanceProfileName", "TeamRole"))));
        assertEquals(1, profiles.size(), "instance profiles named TeamRole: " + profiles.keySet());
        template.resourceCountIs("AWS::ImageBuilder::ImagePipeline", 1);
        template.hasResourceProperties("AWS::ImageBuilder::InfrastructureConfiguration",
                Map.of("InstanceProfileName", Map.of("Ref", profiles.keySet().iterator().next())));
    }

    @Test
    void theRoleReadsOnlyTheComponentsFolderAndWritesOnlyTheLogsFolder() {
        template.resourceCountIs("AWS::IAM::Policy", 0);
        template.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of("PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(
                Match.objectLike(Map.of("Action", "s3:GetObject", "Resource", inTheBucket("/components/*"))),
                Match.objectLike(Map.of("Action", "s3:ListBucket", "Condition",
                        Map.of("StringLike", Map.of("s3:prefix", List.of("components/*"))))),
                Match.objectLike(Map.of("Action", "s3:PutObject", "Resource", inTheBucket("/logs/*"))))))));
        List<String> s3 = new ArrayList<>();
        for (String type : List.of("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy")) {
            for (Map<String, Object> policy : template.findResources(type).values()) {
                for (Object statement : (List<?>) at(policy, "Properties", "PolicyDocument", "Statement")) {
                    Object actions = ((Map<?, ?>) statement).get("Action");
                    for (Object action : actions instanceof List ? (List<?>) actions : List.of(actions)) {
                        if (action.toString().startsWith("s3:")) {
                            s3.add(action.toString());
                        }
                    }
                }
            }
        }
        s3.sort(null);
        assertEquals(List.of("s3:GetObject", "s3:ListBucket", "s3:PutObject"), s3, "the S3 actions of the role's policies");
    }

    @Test
    void componentAccessChecksFindsNothingMissing() throws IOException {
        List<String> problems = new ArrayList<>();
        Pattern problem = Pattern.compile("\"type\"\\s*:\\s*\"aws:cdk:(error|warning)\"\\s*,\\s*\"data\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
        try (Stream<Path> files = Files.list(OUTDIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                Matcher found = problem.matcher(Files.readString(file, StandardCharsets.UTF_8));
                while (found.find()) {
                    problems.add(file.getFileName() + ": " + found.group(1) + ": " + found.group(2));
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void readmeShowsThisProgram() throws IOException {
        String readme = Files.readString(Path.of("../../README.md"), StandardCharsets.UTF_8);
        Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "README.md has no Java example");
        String source = Files.readString(Path.of("src/main/java/com/myorg/ImageBuilderApp.java"), StandardCharsets.UTF_8);
        assertEquals(source.strip(), block.group(1).strip());
    }

    private static Object at(Map<String, Object> value, String... path) {
        Object here = value;
        for (String key : path) {
            here = ((Map<?, ?>) here).get(key);
        }
        return here;
    }

    private static Map<String, Object> awsManagedPolicy(String name) {
        return Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"), ":iam::aws:policy/" + name)));
    }

    private static Object inTheBucket(String suffix) {
        return Match.objectLike(Map.of("Fn::Join", List.of("", List.of(Match.anyValue(), suffix))));
    }
}
