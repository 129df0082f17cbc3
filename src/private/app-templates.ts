import { CfnOutput, CfnParameter, CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The resource types whose synthesized form the checks read: IAM, and nested stacks for their parameters. */
const TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::RolePolicy', 'AWS::IAM::ManagedPolicy', 'AWS::CloudFormation::Stack']);

/** A resource as its template will hold it: property and raw overrides applied, tokens resolved in its stack. */
export interface SynthesizedResource {
  readonly element: CfnResource;
  readonly stack: Stack;
  readonly logicalId: string;
  readonly properties: Record<string, any>;
  /** The CloudFormation Condition that decides whether the resource is created at all. */
  readonly condition?: unknown;
}

/** A value of a template, and the stack whose template holds it. */
export interface Located {
  readonly value: unknown;
  readonly stack: Stack;
}

/**
 * The IAM resources of every stack of a stage (nested stacks too, not those of other stages: each is an assembly of
 * its own) as synthesis will write them, and the references between stacks: exports and imports, the parameters
 * and outputs of nested stacks.
 *
 * Read it once aspects have run and references are resolved (in a validation): before, an aspect may still
 * override a property (`PermissionsBoundary.of(scope).apply(...)` is one) and a reference to another stack is
 * not yet an import or a parameter.
 */
export class AppTemplates {
  /** The templates of the stage of `scope` (or of `scope`, a stage). */
  public static of(scope: IConstruct): AppTemplates {
    return new AppTemplates(Stage.isStage(scope) ? scope : Stage.of(scope) ?? scope.node.root);
  }

  private readonly byElement = new Map<CfnResource, SynthesizedResource>();
  private readonly byId = new Map<Stack, Map<string, SynthesizedResource>>();
  private readonly byType = new Map<string, SynthesizedResource[]>();
  private readonly exports = new Map<string, Located>();
  private readonly outputs = new Map<Stack, Map<string, unknown>>();
  private readonly parameters = new Map<Stack, Set<string>>();

  private constructor(stage: IConstruct) {
    for (const construct of stage.node.findAll()) {
      if ((Stage.of(construct) ?? construct.node.root) !== stage) {
        continue;
      }
      if (CfnResource.isCfnResource(construct) && TYPES.has(construct.cfnResourceType)) {
        this.add(construct);
      } else if (construct instanceof CfnOutput) {
        const stack = Stack.of(construct);
        const exportName: unknown = stack.resolve(construct.exportName);
        if (typeof exportName === 'string') {
          this.exports.set(exportName, { value: construct.value, stack });
        }
        mapOf(this.outputs, stack, () => new Map<string, unknown>()).set(stack.resolve(construct.logicalId), construct.value);
      } else if (construct instanceof CfnParameter) {
        const stack = Stack.of(construct);
        mapOf(this.parameters, stack, () => new Set<string>()).add(stack.resolve(construct.logicalId));
      }
    }
  }

  /** Every resource of a type in the app. */
  public ofType(type: string): readonly SynthesizedResource[] {
    return this.byType.get(type) ?? [];
  }

  /** The synthesized form of an element of the app. */
  public resourceOf(element: CfnResource): SynthesizedResource | undefined {
    return this.byElement.get(element);
  }

  /**
   * The resource a value refers to with `Ref`, wherever it is: followed through imports of exports of the app,
   * the parameters of nested stacks (to what their parent passes) and the outputs of nested stacks.
   */
  public referenced(value: unknown, stack: Stack): SynthesizedResource | undefined {
    const located = this.follow(value, stack);
    const ref = intrinsic(located.value, 'Ref');
    return typeof ref === 'string' ? this.byId.get(located.stack)?.get(ref) : undefined;
  }

  /** A value followed across stacks as far as the app tells where it comes from (see `referenced`). */
  public follow(value: unknown, stack: Stack): Located {
    let located: Located = { value, stack };
    // a chain of stacks is short; the bound only guards against a cycle
    for (let i = 0; i < 32; i++) {
      const next = this.step(located);
      if (!next) {
        break;
      }
      located = { value: next.stack.resolve(next.value), stack: next.stack };
    }
    return located;
  }

  private step({ value, stack }: Located): Located | undefined {
    const ref = intrinsic(value, 'Ref');
    if (typeof ref === 'string') {
      const parent = stack.nestedStackParent;
      const resource = stack.nestedStackResource && this.byElement.get(stack.nestedStackResource);
      if (!parent || !resource || !this.parameters.get(stack)?.has(ref)) {
        return undefined;
      }
      const passed = resource.properties.Parameters?.[ref];
      return passed === undefined ? undefined : { value: passed, stack: parent };
    }
    const imported = intrinsic(value, 'Fn::ImportValue');
    if (typeof imported === 'string') {
      return this.exports.get(imported);
    }
    const getAtt = intrinsic(value, 'Fn::GetAtt');
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string' && getAtt[1].startsWith('Outputs.')) {
      const nested = this.byId.get(stack)?.get(getAtt[0]);
      const child = nested && [...this.outputs.keys()].find(s => s.nestedStackResource === nested.element);
      const output = child && this.outputs.get(child)?.get(getAtt[1].slice('Outputs.'.length));
      return child && output !== undefined ? { value: output, stack: child } : undefined;
    }
    return undefined;
  }

  private add(element: CfnResource): void {
    const stack = Stack.of(element);
    let template: any;
    try {
      template = stack.resolve((element as any)._toCloudFormation());
    } catch {
      // synthesis reports what does not resolve, with its own message
      return;
    }
    for (const [logicalId, resource] of Object.entries<any>(template?.Resources ?? {})) {
      const properties = resource?.Properties;
      const synthesized: SynthesizedResource = {
        element, stack, logicalId, properties: properties && typeof properties === 'object' ? properties : {}, condition: resource?.Condition,
      };
      this.byElement.set(element, synthesized);
      mapOf(this.byId, stack, () => new Map<string, SynthesizedResource>()).set(logicalId, synthesized);
      mapOf(this.byType, element.cfnResourceType, () => new Array<SynthesizedResource>()).push(synthesized);
    }
  }
}

/** The argument of an intrinsic, when the value is that intrinsic alone. */
export function intrinsic(value: unknown, name: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return undefined;
  }
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === name ? (value as any)[name] : undefined;
}

function mapOf<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
