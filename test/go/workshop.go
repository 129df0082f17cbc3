// Package workshop is the Image Builder workshop's instance profile, written as a Go user writes it, against
// the Go module that jsii-pacmak generates into dist/go, with the aws-cdk-lib L1 infrastructure configuration, so
// that it runs on the module's minimum aws-cdk-go (README's quick start, which needs the Image Builder L2, is
// test/go-quickstart).
package workshop

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsimagebuilder"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-imagebuilder-instance-profile/cdk-imagebuilder-instance-profile-go/cdkimagebuilderinstanceprofile"
)

// NewWorkshopStack defines the bucket, the profile and the infrastructure configuration that uses it.
func NewWorkshopStack(scope constructs.Construct, id string) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), nil)

	bucket := awss3.NewBucket(stack, jsii.String("ImageBuilderBucket"), nil)

	profile := cdkimagebuilderinstanceprofile.NewImageBuilderInstanceProfile(stack, jsii.String("TeamRole"),
		&cdkimagebuilderinstanceprofile.ImageBuilderInstanceProfileProps{
			RoleName: jsii.String("TeamRole"),
			ArtifactLocations: &[]*cdkimagebuilderinstanceprofile.BucketLocation{
				{Bucket: bucket, KeyPrefix: jsii.String("components")},
			},
			LogLocation: &cdkimagebuilderinstanceprofile.BucketLocation{Bucket: bucket, KeyPrefix: jsii.String("logs")},
		})

	// read access to what the component's S3Download step fetches
	profile.AddComponentData(jsii.String(strings.Join([]string{
		"name: install-app",
		"schemaVersion: 1.0",
		"phases:",
		"  - name: build",
		"    steps:",
		"      - name: Fetch",
		"        action: S3Download",
		"        inputs:",
		"          - source: s3://team-artifacts/app/install.sh",
		"            destination: /tmp/install.sh",
	}, "\n")))

	awsimagebuilder.NewCfnInfrastructureConfiguration(stack, jsii.String("Infrastructure"),
		&awsimagebuilder.CfnInfrastructureConfigurationProps{
			Name:                jsii.String("workshop-infrastructure"),
			InstanceProfileName: profile.InstanceProfileName(),
		})

	return stack
}
