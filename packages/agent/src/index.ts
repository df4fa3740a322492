export { buildImages, IMAGES, IMAGE_NAMES, type BuildImagesOptions, type BuildResult, type ImageName } from './images/build.js';
