export * from './messages';
export * from './versions';
export * from './permissions';
export { encodeFrame, encodeDataFrame, FrameDecoder, MAX_FRAME_LEN, splitForFrames } from './framing';
export { FrameReader } from './frame-reader';
