import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { App, Aspects } from 'aws-cdk-lib';
import * as nag from 'cdk-nag';

/** The major version of the cdk-nag installed: 2 (aspects and metadata) or 3 (aws-cdk-lib Validations). */
export const NAG_MAJOR = Number(JSON.parse(fs.readFileSync(require.resolve('cdk-nag/package.json'), 'utf8')).version.split('.')[0]);

/**
 * Synthesizes the app with cdk-nag's AwsSolutions pack and returns its findings as
 * `<construct path>: <rule id>[<finding id>]`, whichever major version of cdk-nag is installed.
 */
export function awsSolutionsFindings(app: App): string[] {
  if (NAG_MAJOR >= 3) {
    (cdk as any).Validations.of(app).addPlugins(new (nag.AwsSolutionsChecks as any)(app));
    try {
      app.synth();
    } catch (e) {
      // the validation plugin fails synthesis when it reports violations; the report says which
    }
    // the report's file name changed between aws-cdk-lib releases
    const file = ['validation-report.json', 'policy-validation-report.json'].map(f => path.join(app.outdir, f)).find(fs.existsSync);
    if (!file) {
      throw new Error(`no validation report in ${app.outdir}`);
    }
    const report = JSON.parse(fs.readFileSync(file, 'utf8'));
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
  Aspects.of(app).add(new nag.AwsSolutionsChecks());
  const assembly = app.synth();
  return assembly.stacks.flatMap(stack => Object.entries(stack.manifest.metadata ?? {}).flatMap(([constructPath, entries]) =>
    entries.filter(entry => (entry.type === 'aws:cdk:error' || entry.type === 'aws:cdk:warning')
      && String(entry.data).startsWith('AwsSolutions-'))
      .map(entry => `${constructPath}: ${String(entry.data).split(': ')[0]}`)));
}
