export * from './image-builder-instance-profile';
