import { section, tableRows } from './helpers/readme';
import { AWS_MANAGED_COMPONENT_NEEDS } from '../src/private/grants/aws-managed-components';

const HEADING = '### AWS-managed components';

/** The backticked words of a README cell. */
function quoted(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map(match => match[1]);
}

/** What a row of the library's table grants: its actions and the AWS managed policies it attaches. */
function granted(row: typeof AWS_MANAGED_COMPONENT_NEEDS[number]): string[] {
  return [...new Set([...row.needs.flatMap(need => need.actions), ...row.managedPolicies ?? []])].sort();
}

describe("README's table of AWS-managed components", () => {
  const rows = tableRows(HEADING);

  test('is the table of components, actions, resources and sources', () => {
    expect(section(HEADING)).toContain('| Components | Actions | Resources and conditions | Source |');
    expect(rows).toHaveLength(AWS_MANAGED_COMPONENT_NEEDS.length);
  });

  test.each(AWS_MANAGED_COMPONENT_NEEDS.map(row => [row.names[0], row] as const))(
    'lists %s with exactly the actions and managed policies that the library grants for it, and its source', (name, row) => {
      // given
      const readmeRow = rows.find(cells => quoted(cells[0]).includes(name));

      // then
      expect(readmeRow).toBeDefined();
      const [, actions, , source] = readmeRow!;
      const listed = quoted(actions).flatMap(word => word.includes(':') || /^[A-Z]/.test(word) ? [word] : []);
      expect([...new Set(listed)].sort()).toEqual(granted(row));
      expect(source).toContain(row.source);
    });
});
