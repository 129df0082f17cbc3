import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { WorkshopStack } from '../examples/workshop';

const app = new App();
const stack = new WorkshopStack(app, 'ImageBuilderInstanceProfileWorkshop');

new IntegTest(app, 'WorkshopTest', {
  testCases: [stack],
});
