import * as fs from 'fs';
import * as path from 'path';
import { AWS_MANAGED_POLICIES } from '../../src/private/aws-managed-policies';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const fixtureNames = fs.readdirSync(FIXTURES).filter(f => f.endsWith('.json')).map(f => f.slice(0, -'.json'.length)).sort();

test('the embedded copies are exactly the policies under test/fixtures, no more and no fewer', () => {
  const embedded = Object.keys(AWS_MANAGED_POLICIES).sort();

  expect(embedded).toEqual(fixtureNames);
});

test.each(fixtureNames)('the embedded copy of %s equals its fixture: version, date and every statement', name => {
  const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')).PolicyVersion;

  const embedded = AWS_MANAGED_POLICIES[name];

  expect(embedded).toEqual({ versionId: fixture.VersionId, createDate: fixture.CreateDate, statements: fixture.Document.Statement });
});
