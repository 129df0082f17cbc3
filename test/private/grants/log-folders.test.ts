import { logFolderOf, LogFolder } from '../../../src/private/grants/log-folders';

describe('logFolderOf', () => {
  const byRef: LogFolder = { configuration: 'Stack/Infra', bucket: '<Logs1234>', prefix: 'logs' };
  const byName: LogFolder = { configuration: 'Stack/Infra', bucket: 'team-logs', prefix: 'logs' };

  test.each([
    ['<Logs1234.Arn>/logs/*', byRef, true],
    ['<Logs1234.Arn>/logs*', byRef, true],
    ['<Logs1234.Arn>/results/*', byRef, false],
    ['<Other.Arn>/logs/*', byRef, false],
    ['arn:<AWS::Partition>:s3:::team-logs/logs/*', byName, true],
    ['arn:<AWS::Partition>:s3:::team-logs/logsx/*', byName, false],
    ['arn:<AWS::Partition>:s3:::other/logs/*', byName, false],
  ])('given the resource %s, then it is in the log folder: %s', (resource, folder, expected) => {
    expect(logFolderOf(resource, [folder]) !== undefined).toBe(expected);
  });

  test('given a log folder without a prefix, then any key of its bucket is in it', () => {
    expect(logFolderOf('<Logs1234.Arn>/anything/*', [{ ...byRef, prefix: '' }])).toBeDefined();
  });
});
