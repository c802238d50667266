import type { Context as CodecContext, NativeCodecs as NativeCodecsType } from 'dcmjs-codecs';
import type { FrameLayout } from '../../shared/pixels/codec.js';
import { lazy } from './types.js';
import { wasmPath } from './wasm.js';

/**
 * dcmjs-codecs: one WebAssembly build of dcmtk's JPEG and RLE codecs, CharLS, OpenJPEG and OpenJPH, with
 * their encoders, compiled once on first use; every call after that is synchronous.
 */
export interface NativeCodecs {
  readonly codecs: typeof NativeCodecsType;
  /** A codec context for one frame of the given layout, holding the encoded or the decoded bytes. */
  context(
    layout: FrameLayout,
    bytes: { encodedBuffer: Uint8Array } | { decodedBuffer: Uint8Array },
  ): CodecContext;
}

export const loadNativeCodecs = lazy(async (): Promise<NativeCodecs> => {
  const { default: module } = await import('dcmjs-codecs');
  await module.NativeCodecs.initializeAsync({
    webAssemblyModulePathOrUrl: wasmPath('dcmjs-native-codecs.wasm'),
  });
  return {
    codecs: module.NativeCodecs,
    context: (layout, bytes) =>
      new module.Context({
        width: layout.columns,
        height: layout.rows,
        bitsAllocated: layout.bitsAllocated,
        bitsStored: layout.bitsStored,
        samplesPerPixel: layout.samplesPerPixel,
        pixelRepresentation: layout.pixelRepresentation,
        planarConfiguration: layout.planarConfiguration,
        photometricInterpretation: layout.photometricInterpretation,
        ...bytes,
      }),
  };
});
