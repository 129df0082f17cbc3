package io.github.cdkimagebuilderinstanceprofile.smoketest;

import java.util.List;

import io.github.cdkimagebuilderinstanceprofile.BucketLocation;
import io.github.cdkimagebuilderinstanceprofile.ImageBuilderInstanceProfile;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.imagebuilder.CfnInfrastructureConfiguration;
import software.amazon.awscdk.services.s3.Bucket;
import software.constructs.Construct;

/**
 * The Image Builder workshop's instance profile with the aws-cdk-lib L1 infrastructure configuration, written as a
 * Java user writes it, on the library's floor (README's quick start, which needs the Image Builder L2 and so
 * aws-cdk-lib 2.270 or newer, is test/java-quickstart).
 */
public class WorkshopStack extends Stack {
    public WorkshopStack(final Construct scope, final String id) {
        super(scope, id);

        Bucket bucket = Bucket.Builder.create(this, "ImageBuilderBucket").build();

        ImageBuilderInstanceProfile profile = ImageBuilderInstanceProfile.Builder.create(this, "TeamRole")
                .roleName("TeamRole")
                .artifactLocations(List.of(BucketLocation.builder().bucket(bucket).keyPrefix("components").build()))
                .logLocation(BucketLocation.builder().bucket(bucket).keyPrefix("logs").build())
                .build();

        // read access to what the component's S3Download step fetches
        profile.addComponentData(String.join("\n",
                "name: install-app",
                "schemaVersion: 1.0",
                "phases:",
                "  - name: build",
                "    steps:",
                "      - name: Fetch",
                "        action: S3Download",
                "        inputs:",
                "          - source: s3://team-artifacts/app/install.sh",
                "            destination: /tmp/install.sh"));

        CfnInfrastructureConfiguration.Builder.create(this, "Infrastructure")
                .name("workshop-infrastructure")
                .instanceProfileName(profile.getInstanceProfileName())
                .build();
    }
}
