package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

type resource struct {
	Type       string                 `json:"Type"`
	Properties map[string]interface{} `json:"Properties"`
}

// synthesized is README's Go quick start, run as `cdk synth` runs an app: the program, with CDK_OUTDIR naming
// where it writes the cloud assembly. The test binary runs itself for that, since the jsii runtime starts its
// process when the packages load, before a test could set CDK_OUTDIR.
var synthesized struct {
	template map[string]resource
	manifest map[string]interface{}
	outdir   string
	err      error
}

func TestMain(m *testing.M) {
	if os.Getenv("QUICKSTART_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	outdir, err := os.MkdirTemp("", "quickstart")
	if err != nil {
		panic(err)
	}
	synthesized.outdir = outdir
	synthesized.err = synthesize(outdir)
	code := m.Run()
	os.RemoveAll(outdir)
	os.Exit(code)
}

func synthesize(outdir string) error {
	program := exec.Command(os.Args[0], "-test.run=^$")
	program.Env = append(os.Environ(), "QUICKSTART_RUN_MAIN=1", "CDK_OUTDIR="+outdir)
	if output, err := program.CombinedOutput(); err != nil {
		return fmt.Errorf("%v:\n%s", err, output)
	}
	var template struct {
		Resources map[string]resource `json:"Resources"`
	}
	if err := readJSON(filepath.Join(outdir, "ImageBuilderStack.template.json"), &template); err != nil {
		return err
	}
	synthesized.template = template.Resources
	return readJSON(filepath.Join(outdir, "manifest.json"), &synthesized.manifest)
}

func readJSON(path string, into interface{}) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, into)
}

func resources(t *testing.T, kind string) map[string]resource {
	t.Helper()
	if synthesized.err != nil {
		t.Fatalf("the quick start did not synthesize: %v", synthesized.err)
	}
	found := map[string]resource{}
	for id, r := range synthesized.template {
		if r.Type == kind {
			found[id] = r
		}
	}
	return found
}

func only(t *testing.T, kind string) (string, resource) {
	t.Helper()
	found := resources(t, kind)
	if len(found) != 1 {
		t.Fatalf("want one %s, got %d", kind, len(found))
	}
	for id, r := range found {
		return id, r
	}
	panic("unreachable")
}

func asJSON(value interface{}) string {
	data, _ := json.Marshal(value)
	return string(data)
}

func TestTheRoleIsTeamRoleThatOnlyEc2AssumesWithTheManagedPoliciesImageBuilderRequires(t *testing.T) {
	_, role := only(t, "AWS::IAM::Role")

	if role.Properties["RoleName"] != "TeamRole" {
		t.Errorf("RoleName: %v", role.Properties["RoleName"])
	}
	statements := role.Properties["AssumeRolePolicyDocument"].(map[string]interface{})["Statement"].([]interface{})
	if got := asJSON(statements); len(statements) != 1 || !strings.Contains(got, `"Principal":{"Service":"ec2.amazonaws.com"}`) {
		t.Errorf("the role is assumed by more than EC2: %s", got)
	}
	policies := asJSON(role.Properties["ManagedPolicyArns"])
	for _, name := range []string{"AmazonSSMManagedInstanceCore", "EC2InstanceProfileForImageBuilder"} {
		if !strings.Contains(policies, ":iam::aws:policy/"+name+`"`) {
			t.Errorf("%s is not attached: %s", name, policies)
		}
	}
}

func TestThePipelinesInfrastructureConfigurationUsesTheTeamRoleInstanceProfile(t *testing.T) {
	profileID, profile := only(t, "AWS::IAM::InstanceProfile")
	_, infrastructure := only(t, "AWS::ImageBuilder::InfrastructureConfiguration")
	only(t, "AWS::ImageBuilder::ImagePipeline")

	if profile.Properties["InstanceProfileName"] != "TeamRole" {
		t.Errorf("InstanceProfileName: %v", profile.Properties["InstanceProfileName"])
	}
	if got, want := asJSON(infrastructure.Properties["InstanceProfileName"]), asJSON(map[string]string{"Ref": profileID}); got != want {
		t.Errorf("the infrastructure configuration uses %s, not the profile %s", got, want)
	}
}

func TestTheRoleReadsOnlyTheComponentsFolderAndWritesOnlyTheLogsFolder(t *testing.T) {
	var granted []string
	for _, kind := range []string{"AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"} {
		for _, policy := range resources(t, kind) {
			for _, s := range policy.Properties["PolicyDocument"].(map[string]interface{})["Statement"].([]interface{}) {
				statement := s.(map[string]interface{})
				if strings.Contains(asJSON(statement["Action"]), `"s3:`) {
					granted = append(granted, asJSON(statement["Action"])+" "+asJSON(statement["Resource"])+" "+asJSON(statement["Condition"]))
				}
			}
		}
	}
	slices.Sort(granted)
	want := []string{
		`^"s3:GetObject" .*"/components/\*"\]\]} null$`,
		`^"s3:ListBucket" .* {"StringLike":{"s3:prefix":\["components/\*"\]}}$`,
		`^"s3:PutObject" .*"/logs/\*"\]\]} null$`,
	}
	if len(granted) != len(want) {
		t.Fatalf("want %d S3 statements, got %d:\n%s", len(want), len(granted), strings.Join(granted, "\n"))
	}
	for i, pattern := range want {
		if !regexp.MustCompile(pattern).MatchString(granted[i]) {
			t.Errorf("S3 statement %d is %s, want %s", i, granted[i], pattern)
		}
	}
}

func TestComponentAccessChecksFindsNothingMissing(t *testing.T) {
	if synthesized.err != nil {
		t.Fatalf("the quick start did not synthesize: %v", synthesized.err)
	}
	var problems []string
	for _, a := range synthesized.manifest["artifacts"].(map[string]interface{}) {
		artifact := a.(map[string]interface{})
		metadata := map[string]interface{}{}
		if inline, ok := artifact["metadata"].(map[string]interface{}); ok {
			metadata = inline
		}
		// newer cloud assemblies keep a stack's metadata in a file of its own
		if file, ok := artifact["additionalMetadataFile"].(string); ok {
			var more map[string]interface{}
			if err := readJSON(filepath.Join(synthesized.outdir, file), &more); err != nil {
				t.Fatal(err)
			}
			for path, entries := range more {
				metadata[path] = entries
			}
		}
		for path, entries := range metadata {
			for _, e := range entries.([]interface{}) {
				entry := e.(map[string]interface{})
				if kind := entry["type"].(string); kind == "aws:cdk:error" || kind == "aws:cdk:warning" {
					problems = append(problems, kind+" at "+path+": "+asJSON(entry["data"]))
				}
			}
		}
	}
	if len(problems) != 0 {
		t.Errorf("synthesis reported:\n%s", strings.Join(problems, "\n"))
	}
}

func TestReadmeShowsThisProgram(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	source, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)```go\n(.*?)```").FindSubmatch(readme)
	if block == nil {
		t.Fatal("README.md has no Go example")
	}
	if got, want := strings.TrimSpace(string(block[1])), strings.TrimSpace(string(source)); got != want {
		t.Errorf("README.md's Go example is not main.go:\n--- README.md\n%s\n--- main.go\n%s", got, want)
	}
}
