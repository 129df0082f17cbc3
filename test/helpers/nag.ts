import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import * as nag from 'cdk-nag';

/** The major version of the cdk-nag installed: 2 (aspects and metadata) or 3 (aws-cdk-lib Validations). */
export const NAG_MAJOR = Number(JSON.parse(fs.readFileSync(require.resolve('cdk-nag/package.json'), 'utf8')).version.split('.')[0]);
export const CDK_VERSION: string = JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')).version;

/** The rule packs of cdk-nag, by the prefix of their rule ids. */
export const PACKS = {
  'AwsSolutions': nag.AwsSolutionsChecks,
  'HIPAA.Security': nag.HIPAASecurityChecks,
  'NIST.800.53.R4': nag.NIST80053R4Checks,
  'NIST.800.53.R5': nag.NIST80053R5Checks,
  'PCI.DSS.321': nag.PCIDSS321Checks,
} as const;
export type PackName = keyof typeof PACKS;

/**
 * Why cdk-nag 3's packs cannot run as validation plugins on this aws-cdk-lib, or undefined when they can.
 * cdk-nag 3.0.2 walks the construct tree that the validation context carries from aws-cdk-lib 2.258.0 on;
 * on 2.257.0 every pack reports its own failure instead of findings.
 */
export const NAG_V3_PLUGIN_FAILURE: string | undefined = NAG_MAJOR >= 3 ? probeNagV3() : undefined;

/** The one aws-cdk-lib release on which cdk-nag 3's packs are known not to run (the README says so). */
const NAG_V3_BROKEN_ON = '2.257.0';

// the probe decides which cdk-nag 3 tests run: it must not switch them off, or on, anywhere but where it is known to
if (NAG_MAJOR >= 3 && (NAG_V3_PLUGIN_FAILURE !== undefined) !== (CDK_VERSION === NAG_V3_BROKEN_ON)) {
  throw new Error(NAG_V3_PLUGIN_FAILURE !== undefined
    ? `cdk-nag 3's packs did not run as validation plugins on aws-cdk-lib ${CDK_VERSION}, which would skip every cdk-nag test: ${NAG_V3_PLUGIN_FAILURE}`
    : `cdk-nag 3's packs ran as validation plugins on aws-cdk-lib ${CDK_VERSION}, where they are known to fail: update the README and this helper`);
}

function probeNagV3(): string | undefined {
  const app = new App({ context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  new Stack(app, 'Probe');
  try {
    return pluginErrors(runV3(app, 'AwsSolutions'))[0];
  } finally {
    process.exitCode = undefined;
  }
}

/**
 * Synthesizes the app with one cdk-nag rule pack and returns its findings as
 * `<construct path>: <rule id>[<finding id>]`, whichever major version of cdk-nag is installed.
 * Throws when the pack did not run, so that "no findings" always means the pack looked and found nothing.
 */
export function nagFindings(app: App, pack: PackName = 'AwsSolutions'): string[] {
  if (NAG_MAJOR >= 3) {
    const report = runV3(app, pack);
    const errors = pluginErrors(report);
    if (errors.length > 0) {
      throw new Error(`the ${pack} pack did not run: ${errors.join('; ')}`);
    }
    const findings: string[] = [];
    for (const plugin of report.pluginReports ?? []) {
      for (const violation of plugin.violations ?? []) {
        for (const construct of violation.violatingConstructs ?? violation.violatingResources ?? []) {
          findings.push(`/${construct.constructPath}: ${violation.ruleName}`);
        }
      }
    }
    return findings;
  }
  Aspects.of(app).add(new (PACKS[pack] as any)());
  const assembly = app.synth();
  // messages, not manifest.metadata: aws-cdk-lib 2.257 moved the metadata to a file of its own
  return assembly.stacks.flatMap(stack => stack.messages
    .filter(message => (message.entry.type === 'aws:cdk:error' || message.entry.type === 'aws:cdk:warning')
      && String(message.entry.data).startsWith(`${pack}-`))
    .map(message => `${message.id}: ${String(message.entry.data).split(': ')[0]}`));
}

/** AwsSolutions findings: see nagFindings. */
export function awsSolutionsFindings(app: App): string[] {
  return nagFindings(app, 'AwsSolutions');
}

function runV3(app: App, pack: PackName): any {
  (cdk as any).Validations.of(app).addPlugins(new (PACKS[pack] as any)(app));
  try {
    app.synth();
  } catch (e) {
    // the validation plugin fails synthesis when it reports violations; the report says which
  } finally {
    // aws-cdk-lib 2.257-2.258 mark a failed validation with process.exitCode, which would fail the test run
    process.exitCode = undefined;
  }
  // the report's file name changed between aws-cdk-lib releases
  const file = ['validation-report.json', 'policy-validation-report.json'].map(f => path.join(app.outdir, f)).find(fs.existsSync);
  if (!file) {
    throw new Error(`no validation report in ${app.outdir}`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function pluginErrors(report: any): string[] {
  return (report.pluginReports ?? []).map((plugin: any) => plugin.summary?.metadata?.error ?? plugin.metadata?.error)
    .filter((error: unknown): error is string => typeof error === 'string');
}
