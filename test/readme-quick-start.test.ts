import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ts from 'typescript';
import { ComponentAccessChecks } from '../src';
import { codeBlock, PROJECT_ROOT } from './helpers/readme';

const QUICK_START = '## Quick start';
const PACKAGE_IMPORT = "import { ImageBuilderInstanceProfile, ComponentAccessChecks } from 'cdk-imagebuilder-instance-profile';";

// the quick start uses @aws-cdk/aws-imagebuilder-alpha, which needs aws-cdk-lib 2.270 or newer, far above the floor that
// the build installs: .ci/test-aws-cdk-lib-versions.sh installs it with the newest aws-cdk-lib and sets
// REQUIRE_IMAGEBUILDER_ALPHA, so that this test cannot be skipped there
function alphaInstalled(): boolean {
  try {
    require.resolve('@aws-cdk/aws-imagebuilder-alpha');
    return true;
  } catch (e) {
    if (process.env.REQUIRE_IMAGEBUILDER_ALPHA) {
      throw e;
    }
    return false;
  }
}
const describeWithAlpha = alphaInstalled() ? describe : describe.skip;

interface QuickStartApp {
  readonly dir: string;
  readonly diagnostics: string[];
  readonly app: App;
}

/**
 * README's quick start, word for word, as bin/app.ts of a fresh app: type-checked strictly, then transpiled and run
 * with the package's import resolved to this repository's source.
 */
function runQuickStart(code: string): QuickStartApp {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quick-start-'));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const appTs = path.join(dir, 'bin', 'app.ts');
  fs.writeFileSync(appTs, code);

  // the compiler options of `cdk init app --language typescript`
  const program = ts.createProgram([appTs], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts'],
    strict: true,
    noImplicitReturns: true,
    noFallthroughCasesInSwitch: true,
    skipLibCheck: true,
    types: [],
    noEmit: true,
    paths: { 'cdk-imagebuilder-instance-profile': [path.join(PROJECT_ROOT, 'src', 'index.ts')] },
  });
  const diagnostics = [...program.getGlobalDiagnostics(), ...ts.getPreEmitDiagnostics(program, program.getSourceFile(appTs))]
    .map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'));

  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText
    .replace('require("cdk-imagebuilder-instance-profile")', `require(${JSON.stringify(path.join(PROJECT_ROOT, 'src'))})`);
  const appJs = path.join(dir, 'bin', 'app.js');
  // the harness takes the program's app to synthesize it, as the CDK CLI would
  fs.writeFileSync(appJs, `${js}\nmodule.exports = { app };\n`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return { dir, diagnostics, app: require(appJs).app };
}

describe("README's quick start", () => {
  test('is TypeScript with its imports, the package imported by its name', () => {
    const code = codeBlock(QUICK_START, 'ts');

    expect(code).toContain(PACKAGE_IMPORT);
    expect(code).toMatch(/^import \* as imagebuilder from '@aws-cdk\/aws-imagebuilder-alpha';$/m);
    expect(code).toMatch(/roleName: 'TeamRole'/);
    expect(code.split('\n').length).toBeLessThanOrEqual(45);
  });
});

describeWithAlpha('README\'s quick start, run as a fresh app (skipped on the aws-cdk-lib floor, where @aws-cdk/aws-imagebuilder-alpha, '
  + 'which needs aws-cdk-lib 2.270 or newer, is not installed; .ci/test-aws-cdk-lib-versions.sh runs it with the newest)', () => {
  let quickStart: QuickStartApp;
  let stack: Stack;
  let template: Template;

  beforeAll(() => {
    quickStart = runQuickStart(codeBlock(QUICK_START, 'ts'));
    stack = quickStart.app.node.children.find(Stack.isStack)!;
    template = Template.fromStack(stack);
  });

  afterAll(() => {
    // removes the node_modules link, not what it points to
    fs.rmSync(quickStart.dir, { recursive: true, force: true });
  });

  test('compiles with strict type checking', () => {
    expect(quickStart.diagnostics).toEqual([]);
  });

  test('synthesizes the workshop role named TeamRole, its instance profile and an L2 pipeline that uses it', () => {
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'TeamRole' });
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::InstanceProfile', { InstanceProfileName: 'TeamRole' });
    template.resourceCountIs('AWS::ImageBuilder::ImagePipeline', 1);
    const [profile] = Object.keys(template.findResources('AWS::IAM::InstanceProfile'));
    template.hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', { InstanceProfileName: { Ref: profile } });
  });

  test('grants read-only access to components/ and write-only access to logs/, and no other S3 access', () => {
    const s3Statements = ['AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy']
      .flatMap(type => Object.values(template.findResources(type)))
      .flatMap(policy => policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>)
      .filter(statement => [statement.Action].flat().some((action: string) => action.startsWith('s3:')))
      .map(statement => ({ Action: statement.Action, Resource: stack.resolve(statement.Resource), Condition: statement.Condition }));

    const bucketArn = { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::S3::Bucket'))[0], 'Arn'] };
    expect(s3Statements).toEqual(expect.arrayContaining([
      { Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [bucketArn, '/components/*']] }, Condition: undefined },
      { Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': ['components/*'] } } },
      { Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [bucketArn, '/logs/*']] }, Condition: undefined },
    ]));
    expect(s3Statements).toHaveLength(3);
  });

  test('applies ComponentAccessChecks, which finds no error and nothing to warn about', () => {
    expect(Aspects.of(quickStart.app).all.some(aspect => aspect instanceof ComponentAccessChecks)).toBe(true);
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});
