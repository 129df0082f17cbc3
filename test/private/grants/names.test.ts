import { Aws, Lazy, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { exactResource, NameKind, nameProblem, validateName } from '../../../src/private/grants/names';
import { checkProperty, iamGlobMatches } from '../property-helpers';

// characters that IAM reads specially in a resource, and some that it does not
const special = fc.constantFrom('*', '?', '$', '${', '}', '/', 'a', 'b', '-', '.', '_');
const name = fc.array(special, { minLength: 1, maxLength: 12 }).map(parts => parts.join(''));

describe('exactResource', () => {
  test('given any literal text, then the pattern matches that text and nothing else', () => {
    checkProperty(fc.property(name, name, (text, other) => {
      const pattern = exactResource(`arn:aws:ssm:us-east-1:111122223333:parameter/${text}`);

      expect(iamGlobMatches(pattern, `arn:aws:ssm:us-east-1:111122223333:parameter/${text}`)).toBe(true);
      expect(iamGlobMatches(pattern, `arn:aws:ssm:us-east-1:111122223333:parameter/${other}`)).toBe(text === other);
    }), 300);
  });

  test('given text with a token, then the token is kept and the literal text around it is escaped', () => {
    const stack = new Stack();

    const pattern = exactResource(`arn:aws:ecr:us-east-1:${Aws.ACCOUNT_ID}:repository/team/*`);

    expect(stack.resolve(pattern)).toEqual({ 'Fn::Join': ['', ['arn:aws:ecr:us-east-1:', { Ref: 'AWS::AccountId' }, ':repository/team/${*}']] });
  });
});

describe('nameProblem', () => {
  test.each<[NameKind, string]>([
    ['secret', 'prod/*'],
    ['secret', 'prod/db?'],
    ['secret', 'a${aws:username}'],
    ['parameter', '/team/*'],
    ['parameter', '/team/$x'],
    ['repository', 'team/*'],
    ['repository', 'Team/app'],
  ])('given the %s name %p, which the service cannot hold, then it is a problem', (kind, value) => {
    expect(nameProblem(kind, value)).toBeDefined();
    expect(() => validateName('addX', kind, value)).toThrow(`addX: the ${kind} name must`);
    expect(() => validateName('addX', kind, value)).toThrow(`got '${value}'`);
  });

  test.each<[NameKind, string]>([
    ['secret', 'prod/db-password_1+=.@'],
    ['parameter', '/team/app/db.url'],
    ['parameter', 'Simple'],
    ['repository', 'team/app-1.x_y'],
  ])('given the valid %s name %p, then it is no problem', (kind, value) => {
    expect(nameProblem(kind, value)).toBeUndefined();
  });

  test('given a name with a token, then only its literal text is checked', () => {
    const token = Lazy.string({ produce: () => 'anything' });

    expect(nameProblem('parameter', `/team/${token}`)).toBeUndefined();
    expect(nameProblem('parameter', `/team/${token}/*`)).toMatch(/around its tokens/);
  });

  test('given random names, then every name with *, ? or $ is refused for each kind', () => {
    checkProperty(fc.property(name, fc.constantFrom<NameKind>('parameter', 'secret', 'repository'), (value, kind) => {
      if (/[*?$]/.test(value)) {
        expect(nameProblem(kind, value)).toBeDefined();
      }
    }), 300);
  });
});
