import * as fs from 'fs';
import * as path from 'path';
import { Annotations as CoreAnnotations, App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { ComponentAccessChecks, ImageBuilderInstanceProfile } from '../src';
import { PROJECT_ROOT, tableRows } from './helpers/readme';

const PREFIX = 'cdk-imagebuilder-instance-profile:';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => entry.isDirectory()
    ? sourceFiles(path.join(dir, entry.name))
    : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : []);
}

/** Every warning id that src/ passes to addWarningV2, written as a string literal anywhere in src/ (src/private/ included). */
function emittedIds(): Set<string> {
  const ids = new Set<string>();
  for (const file of sourceFiles(path.join(PROJECT_ROOT, 'src'))) {
    const text = fs.readFileSync(file, 'utf-8');
    // an id built at run time could not be listed: every id must be a literal
    expect({ file, built: text.includes(PREFIX + '${') }).toEqual({ file, built: false });
    for (const match of text.matchAll(new RegExp(`['"\`]${PREFIX}([A-Za-z0-9]+)['"\`]`, 'g'))) {
      ids.add(match[1]);
    }
  }
  return ids;
}

function documentedIds(): string[] {
  return tableRows('## Warnings').map(cells => {
    const id = /^`cdk-imagebuilder-instance-profile:([A-Za-z0-9]+)`$/.exec(cells[0]);
    if (!id) {
      throw new Error(`README's Warnings table has a row whose first cell is not a warning id: ${cells[0]}`);
    }
    return id[1];
  });
}

describe("README's Warnings table", () => {
  test('lists every warning id that the library emits, and no other', () => {
    // given
    const emitted = emittedIds();

    // when
    const documented = documentedIds();

    // then
    expect(emitted.size).toBeGreaterThan(10);
    expect({ missingFromReadme: [...emitted].filter(id => !documented.includes(id)).sort() }).toEqual({ missingFromReadme: [] });
    expect({ notEmitted: documented.filter(id => !emitted.has(id)).sort() }).toEqual({ notEmitted: [] });
    expect(documented).toEqual([...new Set(documented)]);
  });

  test('every row says what the warning means, what to do and when acknowledging it is right', () => {
    const rows = tableRows('## Warnings');

    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect({ id: row[0], cells: row.length, empty: row.filter(cell => cell === '').length }).toEqual({ id: row[0], cells: 4, empty: 0 });
    }
  });

  test('acknowledging a warning by the id the table gives silences it, as README shows', () => {
    // given two pipelines whose profile is the hosted event's existing TeamRole, which the check cannot see into
    const warned = hostedEventPipeline();
    const acknowledged = hostedEventPipeline();

    // when acknowledged on the stack, as README shows (aws-cdk-lib 2.93.0 applies an acknowledgment only below its scope)
    CoreAnnotations.of(acknowledged.stack).acknowledgeWarning(`${PREFIX}componentAccessCheck`, 'TeamRole is managed by the event');

    // then
    expect(documentedIds()).toContain('componentAccessCheck');
    Annotations.fromStack(warned.stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp('its instance profile'));
    Annotations.fromStack(acknowledged.stack).hasNoWarning('/Stack/Pipeline', Match.anyValue());
  });
});

function hostedEventPipeline(): { stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  const existing = ImageBuilderInstanceProfile.fromInstanceProfileAttributes(stack, 'Team', {
    instanceProfileName: 'TeamRole',
    role: iam.Role.fromRoleName(stack, 'TeamRoleRole', 'TeamRole'),
  });
  const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infrastructure', {
    name: 'hosted', instanceProfileName: existing.instanceProfileName,
  });
  const recipe = new imagebuilder.CfnImageRecipe(stack, 'Recipe', {
    name: 'app', version: '1.0.0', parentImage: 'ami-0123456789abcdef0', components: [],
  });
  new imagebuilder.CfnImagePipeline(stack, 'Pipeline', {
    name: 'app', imageRecipeArn: recipe.attrArn, infrastructureConfigurationArn: infrastructure.attrArn,
  });
  Aspects.of(app).add(new ComponentAccessChecks());
  return { stack };
}
