import { Stack, Token } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';

// the secrets of each app with a literal name, by name; a miss scans again (see appSecretNamed)
const cache = new WeakMap<IConstruct, Map<string, secretsmanager.ISecret[]>>();

/**
 * The secret of the app (a `secretsmanager.Secret`) whose name is the literal `name`, deployed to the account and
 * region of `scope`'s stack, when there is exactly one: so that a grant on it by name also gets its KMS key.
 */
export function appSecretNamed(scope: IConstruct, name: string): secretsmanager.ISecret | undefined {
  const root = scope.node.root;
  let secrets = cache.get(root);
  if (!secrets?.has(name)) {
    secrets = scan(root);
    cache.set(root, secrets);
  }
  const stack = Stack.of(scope);
  const here = (secrets.get(name) ?? []).filter(secret => Stack.of(secret).account === stack.account && Stack.of(secret).region === stack.region);
  return here.length === 1 ? here[0] : undefined;
}

function scan(root: IConstruct): Map<string, secretsmanager.ISecret[]> {
  const secrets = new Map<string, secretsmanager.ISecret[]>();
  for (const construct of root.node.findAll()) {
    if (!(construct instanceof secretsmanager.CfnSecret) || construct.name === undefined || Token.isUnresolved(construct.name)) {
      continue;
    }
    // only the L2 knows its key as a construct; a bare CfnSecret's key is not followed
    const parent = construct.node.scope;
    if (parent && secretsmanager.Secret.isSecret(parent) && parent.node.defaultChild === construct) {
      secrets.set(construct.name, [...secrets.get(construct.name) ?? [], parent as secretsmanager.ISecret]);
    }
  }
  return secrets;
}
