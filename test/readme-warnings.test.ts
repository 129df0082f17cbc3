import * as fs from 'fs';
import * as path from 'path';
import { Annotations as CoreAnnotations, App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as ts from 'typescript';
import { ComponentAccessChecks, ImageBuilderInstanceProfile } from '../src';
import { PROJECT_ROOT, tableRows } from './helpers/readme';

const PREFIX = 'cdk-imagebuilder-instance-profile:';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => entry.isDirectory()
    ? sourceFiles(path.join(dir, entry.name))
    : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : []);
}

interface EmittedIds {
  /** every id that some call can pass to addWarningV2 */
  readonly ids: Set<string>;
  /** 'file:line: why' for every call whose id the test cannot read, or helper it cannot follow */
  readonly unreadable: string[];
}

/**
 * The warning ids that src/ passes to addWarningV2, read with the TypeScript compiler: each call to addWarningV2, and
 * each call to a helper that passes one of its parameters on as the id (`this.profile.warn(id, message)`, a callback
 * such as keyToGrant's `warn`), followed however deep. An id must be a string literal, or a const of the same file
 * initialized with one; anything else (a concatenation, a template, an imported const) is reported, since the test
 * could not list it. Comments and other strings are never read as ids.
 */
function emittedIds(): EmittedIds {
  const files = sourceFiles(path.join(PROJECT_ROOT, 'src'));
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(path.join(PROJECT_ROOT, 'tsconfig.json'), ts.sys.readFile).config,
    ts.sys, PROJECT_ROOT);
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const sources = files.map(file => program.getSourceFile(file)!);
  const ids = new Set<string>();
  const unreadable: string[] = [];
  const at = (node: ts.Node, why: string) => {
    const source = node.getSourceFile();
    const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    unreadable.push(`${path.relative(PROJECT_ROOT, source.fileName)}:${line}: ${why}: ${node.getText().split('\n')[0]}`);
  };

  /** the identifiers of src/ named `name` */
  const identifiers = (name: string): ts.Identifier[] => {
    const found: ts.Identifier[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && node.text === name) {
        found.push(node);
      }
      ts.forEachChild(node, visit);
    };
    sources.forEach(visit);
    return found;
  };

  // the helpers that pass a warning id on, with the index of the argument that is the id
  const helpers = new Map<ts.Symbol, number>();

  /** An id argument: read it, or follow the helper whose parameter it is. */
  const readId = (id: ts.Expression | undefined, call: ts.CallExpression): void => {
    if (id === undefined) {
      at(call, 'an id the test cannot read');
    } else if (ts.isStringLiteralLike(id)) {
      ids.add(id.text);
    } else if (ts.isIdentifier(id)) {
      const declaration = checker.getSymbolAtLocation(id)?.valueDeclaration;
      if (declaration && ts.isVariableDeclaration(declaration) && isConst(declaration)
        && declaration.initializer && ts.isStringLiteralLike(declaration.initializer) && declaration.getSourceFile() === id.getSourceFile()) {
        ids.add(declaration.initializer.text);
      } else if (declaration && ts.isParameter(declaration) && ts.isIdentifier(declaration.name) && !declaration.dotDotDotToken) {
        helper(declaration.parent, declaration.parent.parameters.indexOf(declaration), id);
      } else {
        at(id, 'an id the test cannot read');
      }
    } else {
      at(id, 'an id the test cannot read');
    }
  };

  /** A function whose parameter `index` is the id it passes on: every call to it passes an id. */
  const helper = (fn: ts.SignatureDeclaration, index: number, use: ts.Node): void => {
    if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isMethodSignature(fn)) && fn.name) {
      follow(checker.getSymbolAtLocation(fn.name), index, use);
      // a class method called through the interface that the class implements
      const owner = fn.parent;
      if (ts.isMethodDeclaration(fn) && ts.isClassLike(owner)) {
        for (const type of owner.heritageClauses?.flatMap(clause => [...clause.types]) ?? []) {
          follow(checker.getTypeAtLocation(type).getProperty(fn.name.getText()), index, use);
        }
      }
    } else if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) {
      passed(fn, index);
    } else {
      at(use, 'a warn helper the test cannot follow');
    }
  };

  /** A helper given as a value: to a parameter of a function, as a property of an object, or kept in a variable. */
  const passed = (value: ts.Expression, index: number): void => {
    let node: ts.Node = value;
    while (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isNonNullExpression(node.parent)) {
      node = node.parent;
    }
    const parent = node.parent;
    if (ts.isCallExpression(parent) && parent.arguments.includes(node as ts.Expression)) {
      const parameter = checker.getResolvedSignature(parent)?.declaration?.parameters[parent.arguments.indexOf(node as ts.Expression)];
      if (parameter && ts.isParameter(parameter) && ts.isIdentifier(parameter.name) && !parameter.dotDotDotToken) {
        follow(checker.getSymbolAtLocation(parameter.name), index, node);
        return;
      }
    } else if (ts.isPropertyAssignment(parent) && parent.initializer === node && ts.isObjectLiteralExpression(parent.parent)) {
      const name = parent.name.getText();
      follow(checker.getSymbolAtLocation(parent.name), index, node);
      // the object's declared type, such as ProfileGrants, through which the helper is called
      const declared = checker.getContextualType(parent.parent)?.getProperty(name);
      if (declared) {
        follow(declared, index, node);
      }
      return;
    } else if (ts.isVariableDeclaration(parent) && parent.initializer === node && ts.isIdentifier(parent.name)) {
      follow(checker.getSymbolAtLocation(parent.name), index, node);
      return;
    }
    at(node, 'a warn helper the test cannot follow');
  };

  /** Every use of a helper's symbol: a call passes an id; a helper given on is followed there. */
  const follow = (symbol: ts.Symbol | undefined, index: number, use: ts.Node): void => {
    if (!symbol) {
      at(use, 'a warn helper the test cannot follow');
      return;
    }
    if (helpers.has(symbol)) {
      if (helpers.get(symbol) !== index) {
        at(use, `a warn helper whose id is argument ${helpers.get(symbol)} and ${index}`);
      }
      return;
    }
    helpers.set(symbol, index);
    for (const identifier of identifiers(symbol.name)) {
      if (checker.getSymbolAtLocation(identifier) !== symbol || isDeclarationName(identifier)) {
        continue;
      }
      const reference = ts.isPropertyAccessExpression(identifier.parent) && identifier.parent.name === identifier ? identifier.parent : identifier;
      if (ts.isCallExpression(reference.parent) && reference.parent.expression === reference) {
        readId(reference.parent.arguments[index], reference.parent);
      } else {
        passed(reference, index);
      }
    }
  };

  for (const identifier of identifiers('addWarningV2')) {
    const call = identifier.parent.parent;
    if (ts.isPropertyAccessExpression(identifier.parent) && identifier.parent.name === identifier
      && ts.isCallExpression(call) && call.expression === identifier.parent) {
      readId(call.arguments[0], call);
    } else {
      at(identifier, 'addWarningV2 used other than by a call');
    }
  }
  // a warning without an id cannot be acknowledged
  identifiers('addWarning').forEach(identifier => at(identifier, 'a warning without an id'));
  return { ids, unreadable };
}

function isConst(declaration: ts.VariableDeclaration): boolean {
  // NodeFlags.Const, read without a bitwise operator
  return ts.isVariableDeclarationList(declaration.parent) && declaration.parent.getFirstToken()?.kind === ts.SyntaxKind.ConstKeyword;
}

function isDeclarationName(identifier: ts.Identifier): boolean {
  const parent = identifier.parent as ts.Node & { name?: ts.Node };
  return ts.isDeclarationStatement(parent) || (parent.name === identifier && (ts.isParameter(parent) || ts.isVariableDeclaration(parent)
    || ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent) || ts.isPropertySignature(parent)
    || ts.isPropertyDeclaration(parent) || ts.isFunctionDeclaration(parent)));
}

function documentedIds(): string[] {
  return tableRows('## Warnings').map(cells => {
    const id = /^`([^`]+)`$/.exec(cells[0]);
    if (!id) {
      throw new Error(`README's Warnings table has a row whose first cell is not a warning id: ${cells[0]}`);
    }
    return id[1];
  });
}

describe("README's Warnings table", () => {
  test('lists every warning id that the library emits, and no other', () => {
    // given every id that src/ passes to addWarningV2, directly or through its warn helpers
    const emitted = emittedIds();

    // when
    const documented = documentedIds();

    // then
    expect({ unreadable: emitted.unreadable }).toEqual({ unreadable: [] });
    expect(emitted.ids.size).toBeGreaterThan(10);
    expect({ notOurs: [...emitted.ids].filter(id => !id.startsWith(PREFIX)).sort() }).toEqual({ notOurs: [] });
    expect({ missingFromReadme: [...emitted.ids].filter(id => !documented.includes(id)).sort() }).toEqual({ missingFromReadme: [] });
    expect({ notEmitted: documented.filter(id => !emitted.ids.has(id)).sort() }).toEqual({ notEmitted: [] });
    expect(documented).toEqual([...new Set(documented)]);
  }, 120_000);

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
    expect(documentedIds()).toContain(`${PREFIX}componentAccessCheck`);
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
