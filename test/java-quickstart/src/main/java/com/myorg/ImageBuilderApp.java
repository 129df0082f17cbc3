package com.myorg;

import java.util.List;
import java.util.Map;

import io.github.cdkimagebuilderinstanceprofile.BucketLocation;
import io.github.cdkimagebuilderinstanceprofile.ComponentAccessChecks;
import io.github.cdkimagebuilderinstanceprofile.ImageBuilderInstanceProfile;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.imagebuilder.alpha.BaseImage;
import software.amazon.awscdk.services.imagebuilder.alpha.Component;
import software.amazon.awscdk.services.imagebuilder.alpha.ComponentConfiguration;
import software.amazon.awscdk.services.imagebuilder.alpha.ComponentData;
import software.amazon.awscdk.services.imagebuilder.alpha.ImagePipeline;
import software.amazon.awscdk.services.imagebuilder.alpha.ImageRecipe;
import software.amazon.awscdk.services.imagebuilder.alpha.InfrastructureConfiguration;
import software.amazon.awscdk.services.imagebuilder.alpha.InfrastructureConfigurationLogging;
import software.amazon.awscdk.services.imagebuilder.alpha.Platform;
import software.amazon.awscdk.services.s3.Bucket;

public class ImageBuilderApp {
    public static void main(final String[] args) {
        App app = new App();
        Stack stack = new Stack(app, "ImageBuilderStack");
        Bucket bucket = Bucket.Builder.create(stack, "ImageBuilderBucket").build();

        // the workshop's TeamRole: it reads the components' files and writes the build logs, nothing else
        ImageBuilderInstanceProfile profile = ImageBuilderInstanceProfile.Builder.create(stack, "TeamRole")
                .roleName("TeamRole")
                .artifactLocations(List.of(BucketLocation.builder().bucket(bucket).keyPrefix("components").build()))
                .logLocation(BucketLocation.builder().bucket(bucket).keyPrefix("logs").build())
                .build();

        Component installApp = Component.Builder.create(stack, "InstallApp")
                .platform(Platform.LINUX)
                .data(ComponentData.fromJsonObject(Map.of(
                        "schemaVersion", "1.0",
                        "phases", List.of(Map.of("name", "build", "steps", List.of(Map.of(
                                "name", "Fetch", "action", "S3Download", "inputs", List.of(Map.of(
                                        "source", bucket.s3UrlForObject("components/install.sh"),
                                        "destination", "/tmp/install.sh")))))))))
                .build();

        ImagePipeline.Builder.create(stack, "Pipeline")
                .recipe(ImageRecipe.Builder.create(stack, "Recipe")
                        .baseImage(BaseImage.fromSsmParameterName("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"))
                        .components(List.of(ComponentConfiguration.builder().component(installApp).build()))
                        .build())
                .infrastructureConfiguration(InfrastructureConfiguration.Builder.create(stack, "Infrastructure")
                        .instanceProfile(profile.getInstanceProfileWithoutRole())
                        .logging(InfrastructureConfigurationLogging.builder().s3Bucket(bucket).s3KeyPrefix("logs").build())
                        .build())
                .build();

        // cdk synth fails when a build cannot reach what its components need
        Aspects.of(app).add(new ComponentAccessChecks());

        app.synth();
    }
}
