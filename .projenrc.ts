import { awscdk, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

// the floor: Annotations.addWarningV2 (used for the managed-policy quota warning) appeared in 2.93.0,
// and iam.InstanceProfile, which the construct wraps, shortly before it
const CDK_FLOOR = '2.93.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-imagebuilder-instance-profile',
  description: 'The least-privilege IAM instance profile for EC2 Image Builder build and test instances, as one AWS CDK construct.',
  author: 'cdk-imagebuilder-instance-profile maintainers',
  authorAddress: 'maintainers@example.com',
  repositoryUrl: 'https://github.com/cdk-imagebuilder-instance-profile/cdk-imagebuilder-instance-profile.git',
  license: 'Apache-2.0',
  stability: 'experimental',
  keywords: ['awscdk', 'aws-cdk', 'cdk', 'imagebuilder', 'ec2-image-builder', 'iam', 'instance-profile'],

  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',

  cdkVersion: CDK_FLOOR,
  constructsVersion: '10.0.5',

  // jsii projects get their dev tsconfig inside test/ by default; users and editors expect it at the top
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['examples/**/*.ts', '.projenrc.ts'],
    // build/ holds tool caches (the Go module cache of .ci/test-go.sh carries .ts files of its own)
    exclude: ['build'],
    compilerOptions: {},
  },
  eslintOptions: {
    // lint every file against the one dev tsconfig that includes them all
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench', 'build-tools', 'projenrc', '.projenrc.ts'],
  },

  jestOptions: {
    // a snapshot that rewrites itself can never fail
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      // test/deploy needs the local emulator: `npx projen test:deploy`
      testPathIgnorePatterns: ['/node_modules/', '/cdk.out/', '\\.snapshot/', '/test/deploy/'],
      watchPathIgnorePatterns: ['/cdk.out/', '\\.snapshot/'],
    },
  },

  // the component-document parser: a well-kept YAML library, bundled as jsii requires of non-jsii dependencies
  bundledDeps: ['yaml@^2'],
  devDeps: [
    // cdk-nag 2.x is the line that supports the aws-cdk-lib floor; 3.x needs aws-cdk-lib >= 2.257
    'cdk-nag@2.27.231',
    // AGPL-3.0: a devDependency used only by tests, never bundled or published
    '@cloud-copilot/iam-simulate',
    // property-based tests: random prefixes, keys and documents, with the seed printed on failure
    'fast-check@^4',
    `@aws-cdk/integ-tests-alpha@${CDK_FLOOR}-alpha.0`,
    '@aws-cdk/integ-runner@^2',
    // the deploy tests talk to moto's CloudFormation and IAM through the AWS SDK, as a user's tooling would
    '@aws-sdk/client-cloudformation',
    '@aws-sdk/client-iam',
  ],

  publishToPypi: {
    distName: 'cdk-imagebuilder-instance-profile',
    module: 'cdk_imagebuilder_instance_profile',
  },
  // io.github.<GitHub organization> is a namespace Maven Central verifies against the organization itself
  publishToMaven: {
    mavenGroupId: 'io.github.cdk-imagebuilder-instance-profile',
    mavenArtifactId: 'cdk-imagebuilder-instance-profile',
    javaPackage: 'io.github.cdkimagebuilderinstanceprofile',
  },
  // publib pushes the generated module to this repository of the organization, in the packageName folder
  publishToGo: {
    moduleName: 'github.com/cdk-imagebuilder-instance-profile/cdk-imagebuilder-instance-profile-go',
    packageName: 'cdkimagebuilderinstanceprofile',
  },

  gitignore: ['cdk.out/', '*.tsbuildinfo', '.venv/', '/build/', 'test/cdk-integ.out.*/', '.jsii.tabl.json', 'test/java/target/', 'test/java-quickstart/target/'],
  // local tool environments and development-only folders never reach the published package
  npmIgnoreOptions: {
    ignorePatterns: ['/examples/', 'cdk.out/', '/.ci/', '/rosetta/', '/tsconfig.dev.json', '/.venv/', '/build/', '/bench/'],
  },
  sampleCode: false,
});

// the snapshot of every test/integ.*.ts app must match what is committed
const integ = project.addTask('integ', {
  description: 'Check the integration snapshots under test/integ.*.ts.snapshot',
  receiveArgs: true,
  exec: 'integ-runner --language typescript --directory test',
});
project.addTask('integ:update', {
  description: 'Re-synthesize the integration snapshots after an intended change',
  receiveArgs: true,
  // no AWS account here: re-synthesize the snapshot without deploying it
  exec: 'integ-runner --language typescript --directory test --update-on-failed --dry-run',
});
project.testTask.spawn(integ);

const cfnLint = project.addTask('lint:cfn', {
  description: 'cfn-lint (from PyPI, in build/venv) over the templates of the integration apps',
  exec: 'bash .ci/cfn-lint.sh',
});
project.testTask.spawn(cfnLint);

// every TypeScript sample in README must compile, so that Construct Hub shows correct translations
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile the README samples with jsii-rosetta (fixtures in rosetta/)',
  exec: 'jsii-rosetta extract --strict',
});
project.postCompileTask.spawn(rosetta);
// the quick start imports the Image Builder L2, which needs aws-cdk-lib 2.270 or newer and so cannot be a devDependency
// next to the floor: rosetta installs it from npm into the folder where it compiles the samples
project.package.addField('jsiiRosetta', {
  exampleDependencies: { '@aws-cdk/aws-imagebuilder-alpha': '2.270.0-alpha.0' },
});

const deployTest = project.addTask('test:deploy', {
  description: 'Deploy the synthesized stacks on a local CloudFormation emulator (moto) and read IAM back',
});
deployTest.exec('bash .ci/python-tools.sh');
deployTest.exec('jest --ci --coverage=false --testPathIgnorePatterns=/node_modules/ --runInBand test/deploy');

project.addTask('bench', {
  description: 'Measure synth time (floor and newest aws-cdk-lib, with and without cdk-nag), template and policy size, and package size against the same permissions by hand',
  exec: 'bash bench/run.sh',
});

project.addTask('example', {
  description: 'Synthesize the Image Builder workshop scenario and print its CloudFormation template',
  exec: 'ts-node --project tsconfig.dev.json examples/workshop.ts',
});

// jsii-pacmak's Java build resolves aws-cdk-lib and its plugins with Maven: keep them in build/m2 (gitignored)
// rather than in a new temporary repository on every run, so that a second build and the Java smoke test
// (.ci/test-java.sh) reuse them; a fresh clone starts empty
project.tasks.tryFind('package:java')!.reset('jsii-pacmak -v --target java --maven-local-repository build/m2');
// Go has a floor of its own: pacmak repeats every inherited member in the Go code with the types of the aws-cdk-lib
// it finds (aws/jsii#2701), and aws-cdk-go v2.224.0 changed the type of Resource.env, so code generated against
// an older aws-cdk-lib does not compile with aws-cdk-go v2.224.0 or newer, and newer code not with older ones.
// These are the jsii packages at the versions that aws-cdk-go v2.224.0's go.mod requires, so that the generated
// go.mod asks for exactly that release; .ci/package-go.sh installs them in build/, the project's node_modules
// keeps CDK_FLOOR. pacmak's Go build only adds a `go mod tidy` and `go build` on a throwaway copy of go.mod, so
// the generated files are the same with --code-only; .ci/test-go.sh compiles and runs the module instead.
const GO_CDK_PACKAGES = [
  'aws-cdk-lib@2.224.0',
  'constructs@10.4.2',
  '@aws-cdk/asset-awscli-v1@2.2.242',
  '@aws-cdk/asset-node-proxy-agent-v6@2.1.0',
  '@aws-cdk/cloud-assembly-schema@48.6.0',
];
project.tasks.tryFind('package:go')!.reset(`bash .ci/package-go.sh ${GO_CDK_PACKAGES.join(' ')}`);

// jsii sets the language and version classifiers; Construct Hub and PyPI users look for these too
project.package.file.addOverride('jsii.targets.python.classifiers', ['Framework :: AWS CDK', 'Framework :: AWS CDK :: 2']);

project.synth();
