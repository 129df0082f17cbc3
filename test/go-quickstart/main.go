package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	imagebuilder "github.com/aws/aws-cdk-go/awsimagebuilderalpha/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-imagebuilder-instance-profile/cdk-imagebuilder-instance-profile-go/cdkimagebuilderinstanceprofile"
)

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("ImageBuilderStack"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("ImageBuilderBucket"), nil)

	// the workshop's TeamRole: it reads the components' files and writes the build logs, nothing else
	profile := cdkimagebuilderinstanceprofile.NewImageBuilderInstanceProfile(stack, jsii.String("TeamRole"),
		&cdkimagebuilderinstanceprofile.ImageBuilderInstanceProfileProps{
			RoleName: jsii.String("TeamRole"),
			ArtifactLocations: &[]*cdkimagebuilderinstanceprofile.BucketLocation{
				{Bucket: bucket, KeyPrefix: jsii.String("components")},
			},
			LogLocation: &cdkimagebuilderinstanceprofile.BucketLocation{Bucket: bucket, KeyPrefix: jsii.String("logs")},
		})

	installApp := imagebuilder.NewComponent(stack, jsii.String("InstallApp"), &imagebuilder.ComponentProps{
		Platform: imagebuilder.Platform_LINUX,
		Data: imagebuilder.ComponentData_FromJsonObject(&map[string]interface{}{
			"schemaVersion": "1.0",
			"phases": []map[string]interface{}{{"name": "build", "steps": []map[string]interface{}{{
				"name": "Fetch", "action": "S3Download", "inputs": []map[string]interface{}{{
					"source":      bucket.S3UrlForObject(jsii.String("components/install.sh")),
					"destination": "/tmp/install.sh",
				}},
			}}}},
		}),
	})

	imagebuilder.NewImagePipeline(stack, jsii.String("Pipeline"), &imagebuilder.ImagePipelineProps{
		Recipe: imagebuilder.NewImageRecipe(stack, jsii.String("Recipe"), &imagebuilder.ImageRecipeProps{
			BaseImage:  imagebuilder.BaseImage_FromSsmParameterName(jsii.String("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")),
			Components: &[]*imagebuilder.ComponentConfiguration{{Component: installApp}},
		}),
		InfrastructureConfiguration: imagebuilder.NewInfrastructureConfiguration(stack, jsii.String("Infrastructure"),
			&imagebuilder.InfrastructureConfigurationProps{
				InstanceProfile: profile.InstanceProfileWithoutRole(),
				Logging:         &imagebuilder.InfrastructureConfigurationLogging{S3Bucket: bucket, S3KeyPrefix: jsii.String("logs")},
			}),
	})

	// cdk synth fails when a build cannot reach what its components need
	awscdk.Aspects_Of(app).Add(cdkimagebuilderinstanceprofile.NewComponentAccessChecks(), nil)

	app.Synth(nil)
}
