package workshop

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-imagebuilder-instance-profile/cdk-imagebuilder-instance-profile-go/cdkimagebuilderinstanceprofile"
)

// the workshop stack synthesized from Go, with the logical ids of its one role and one bucket
type synthesized struct {
	template  map[string]interface{}
	roleID    string
	bucketArn string
}

func synth(t *testing.T) synthesized {
	t.Helper()
	app := awscdk.NewApp(nil)
	stack := NewWorkshopStack(app, "Workshop")
	template := (*assertions.Template_FromStack(stack, nil).ToJSON())
	s := synthesized{template: template}
	s.roleID = onlyOfType(t, template, "AWS::IAM::Role")
	s.bucketArn = "${" + onlyOfType(t, template, "AWS::S3::Bucket") + ".Arn}"
	return s
}

func TestTheInstanceProfileIsNamedAfterTheRoleAndHoldsIt(t *testing.T) {
	s := synth(t)

	profile := properties(s.template, onlyOfType(t, s.template, "AWS::IAM::InstanceProfile"))

	if name := profile["InstanceProfileName"]; name != "TeamRole" {
		t.Errorf("InstanceProfileName is %v, want TeamRole", name)
	}
	if roles := flattenAll(profile["Roles"]); !slices.Equal(roles, []string{"${" + s.roleID + "}"}) {
		t.Errorf("the profile holds %v, want the role %s", roles, s.roleID)
	}
}

func TestTheRoleHasTheAwsManagedPoliciesThatImageBuilderRequires(t *testing.T) {
	s := synth(t)

	arns := flattenAll(properties(s.template, s.roleID)["ManagedPolicyArns"])

	for _, name := range []string{"AmazonSSMManagedInstanceCore", "EC2InstanceProfileForImageBuilder"} {
		if !slices.Contains(arns, "arn:${AWS::Partition}:iam::aws:policy/"+name) {
			t.Errorf("%s is not in %v", name, arns)
		}
	}
}

func TestTheRoleReadsTheArtifactFolderAndTheComponentsDownloadAndWritesTheLogFolder(t *testing.T) {
	s := synth(t)

	statements := statementsAttachedToTheRole(t, s)

	assertAllowed(t, statements, "s3:GetObject", s.bucketArn+"/components/*")
	assertAllowed(t, statements, "s3:PutObject", s.bucketArn+"/logs/*")
	assertAllowed(t, statements, "s3:GetObject", "arn:${AWS::Partition}:s3:::team-artifacts/app/install.sh")
	if list := assertAllowed(t, statements, "s3:ListBucket", s.bucketArn); list != nil {
		prefixes := flattenAll(at(list, "Condition", "StringLike", "s3:prefix"))
		if !slices.Equal(prefixes, []string{"components/*"}) {
			t.Errorf("s3:ListBucket is limited to %v, want [components/*]", prefixes)
		}
	}
}

func TestTheRoleGetsNoS3AccessBeyondThoseFolders(t *testing.T) {
	s := synth(t)

	for _, statement := range statementsAttachedToTheRole(t, s) {
		actions := flattenAll(statement["Action"])
		if !slices.ContainsFunc(actions, func(a string) bool { return strings.HasPrefix(a, "s3:") }) {
			continue
		}
		for _, resource := range flattenAll(statement["Resource"]) {
			allowed := resource == s.bucketArn || resource == s.bucketArn+"/components/*" ||
				resource == s.bucketArn+"/logs/*" || strings.HasSuffix(resource, ":s3:::team-artifacts/app/install.sh")
			if !allowed {
				t.Errorf("unexpected S3 resource %q in %v", resource, statement)
			}
			if strings.HasSuffix(resource, "/logs/*") && !slices.Equal(actions, []string{"s3:PutObject"}) {
				t.Errorf("the log folder is write-only, got %v", actions)
			}
		}
	}
}

func TestStatementsAreFoundInInlineAndInCustomerManagedPolicies(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Policies"), nil)
	role := awsiam.NewRole(stack, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
	})
	getObject := func(key string) *[]awsiam.PolicyStatement {
		return &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("s3:GetObject"), Resources: jsii.Strings("arn:aws:s3:::bucket/" + key),
		})}
	}
	awsiam.NewManagedPolicy(stack, jsii.String("ByRoles"), &awsiam.ManagedPolicyProps{Roles: &[]awsiam.IRole{role}, Statements: getObject("a")})
	role.AddManagedPolicy(awsiam.NewManagedPolicy(stack, jsii.String("ByArn"), &awsiam.ManagedPolicyProps{Statements: getObject("b")}))
	role.AddToPrincipalPolicy((*getObject("c"))[0])
	template := *assertions.Template_FromStack(stack, nil).ToJSON()

	statements := statementsAttachedToTheRole(t, synthesized{template: template, roleID: onlyOfType(t, template, "AWS::IAM::Role")})

	for _, key := range []string{"a", "b", "c"} {
		assertAllowed(t, statements, "s3:GetObject", "arn:aws:s3:::bucket/"+key)
	}
}

// Env and InstanceProfileRef are the members whose Go types aws-cdk-go v2.224.0 changed or added: they answer from
// Go on each aws-cdk-go that .ci/test-go.sh runs.
func TestTheProfileIsInTheEnvironmentOfItsStack(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Placed"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")},
	})

	env := cdkimagebuilderinstanceprofile.NewImageBuilderInstanceProfile(stack, jsii.String("Profile"), nil).Env()

	if env == nil || *env.Account != "123456789012" || *env.Region != "eu-west-1" {
		t.Errorf("the profile's environment is %+v, want account 123456789012 in eu-west-1", env)
	}
}

func TestAnImportedProfileReferenceNamesTheProfileOfTheArn(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Imported"), nil)
	arn := "arn:aws:iam::123456789012:instance-profile/builds/TeamProfile"

	ref := cdkimagebuilderinstanceprofile.ImageBuilderInstanceProfile_FromInstanceProfileArn(stack, jsii.String("Profile"),
		jsii.String(arn)).InstanceProfileRef()

	if ref == nil || *ref.InstanceProfileName != "TeamProfile" || *ref.InstanceProfileArn != arn {
		t.Errorf("the reference is %+v, want TeamProfile and %s", ref, arn)
	}
}

// statementsAttachedToTheRole gathers the statements of every inline or customer managed policy that applies
// to the role, wherever the construct puts them.
func statementsAttachedToTheRole(t *testing.T, s synthesized) []map[string]interface{} {
	t.Helper()
	attached := flattenAll(properties(s.template, s.roleID)["ManagedPolicyArns"])
	var statements []map[string]interface{}
	for id, resource := range resources(s.template) {
		typ := resource.(map[string]interface{})["Type"]
		if typ != "AWS::IAM::Policy" && typ != "AWS::IAM::ManagedPolicy" {
			continue
		}
		props := properties(s.template, id)
		if slices.Contains(flattenAll(props["Roles"]), "${"+s.roleID+"}") || slices.Contains(attached, "${"+id+"}") {
			for _, statement := range asList(at(props, "PolicyDocument", "Statement")) {
				statements = append(statements, statement.(map[string]interface{}))
			}
		}
	}
	if len(statements) == 0 {
		t.Fatal("no policy of the template is attached to the role")
	}
	return statements
}

func assertAllowed(t *testing.T, statements []map[string]interface{}, action, resource string) map[string]interface{} {
	t.Helper()
	for _, statement := range statements {
		if statement["Effect"] == "Allow" && slices.Contains(flattenAll(statement["Action"]), action) &&
			slices.Contains(flattenAll(statement["Resource"]), resource) {
			return statement
		}
	}
	t.Errorf("no statement allows %s on %s in %v", action, resource, statements)
	return nil
}

// flatten gives a value of the template as text: Fn::Join joined, {"Ref": X} as ${X} and
// {"Fn::GetAtt": [X, Y]} as ${X.Y}.
func flatten(value interface{}) string {
	switch v := value.(type) {
	case string:
		return v
	case map[string]interface{}:
		if ref, ok := v["Ref"]; ok {
			return fmt.Sprintf("${%v}", ref)
		}
		if att, ok := v["Fn::GetAtt"].([]interface{}); ok {
			return fmt.Sprintf("${%v.%v}", att[0], att[1])
		}
		if join, ok := v["Fn::Join"].([]interface{}); ok {
			var parts []string
			for _, part := range join[1].([]interface{}) {
				parts = append(parts, flatten(part))
			}
			return strings.Join(parts, join[0].(string))
		}
	}
	return fmt.Sprint(value)
}

// flattenAll flattens a value that may be one item or a list of them.
func flattenAll(value interface{}) []string {
	var out []string
	for _, item := range asList(value) {
		out = append(out, flatten(item))
	}
	return out
}

func asList(value interface{}) []interface{} {
	switch v := value.(type) {
	case nil:
		return nil
	case []interface{}:
		return v
	default:
		return []interface{}{v}
	}
}

func at(value interface{}, keys ...string) interface{} {
	for _, key := range keys {
		m, ok := value.(map[string]interface{})
		if !ok {
			return nil
		}
		value = m[key]
	}
	return value
}

func resources(template map[string]interface{}) map[string]interface{} {
	return template["Resources"].(map[string]interface{})
}

func properties(template map[string]interface{}, id string) map[string]interface{} {
	props, _ := at(resources(template)[id], "Properties").(map[string]interface{})
	return props
}

func onlyOfType(t *testing.T, template map[string]interface{}, typ string) string {
	t.Helper()
	var ids []string
	for id, resource := range resources(template) {
		if resource.(map[string]interface{})["Type"] == typ {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("want one %s, got %v", typ, ids)
	}
	return ids[0]
}
