import type { ConfigDocument } from '../document.js';
import { flag, isSdxl } from '../facts.js';
import { lintFinding, type LintFinding } from '../finding.js';
import { asText } from '../values.js';

/**
 * SDXL in fp16 without no_half_vae: the SDXL VAE overflows in half precision — NaN latents, black
 * images; with cached latents sd-scripts stops ("NaN detected in latents"). A warning, not an
 * error: checkpoints with an fp16-fixed VAE baked in train fine this way, and users publish such
 * configs as working; the config cannot tell which VAE the checkpoint holds.
 */
export function sdxlFp16Rule(doc: ConfigDocument): LintFinding[] {
  const model = isSdxl(doc);
  if (!model.sdxl) return [];
  const precisionAt = doc.settings.get('mixed_precision');
  const fp16 = asText(precisionAt?.value) === 'fp16' || flag(doc, 'full_fp16');
  if (!fp16) return [];
  // Metadata does not record no_half_vae unless the trainer wrote it: nothing to judge then.
  if (doc.format === 'safetensors-metadata' && !doc.settings.has('no_half_vae')) return [];
  if (flag(doc, 'no_half_vae')) return [];
  const vae = asText(doc.settings.get('vae')?.value);
  return [
    lintFinding(doc, 'sdxl_fp16_vae', 'warning', precisionAt ?? doc.settings.get('full_fp16'), {
      message: `SDXL${model.explicit ? '' : ' (by the model name)'} in fp16 without no_half_vae: the VAE overflows to NaN`,
      seen: {
        mixed_precision: asText(precisionAt?.value) ?? null,
        full_fp16: flag(doc, 'full_fp16'),
        no_half_vae: false,
        sdxl: model.explicit ? 'explicit' : 'inferred',
        vae: vae ?? null,
      },
      expected: 'no_half_vae = true (GUI: sdxl_no_half_vae), or mixed_precision "bf16"',
      why: 'the stock SDXL VAE produces inf/NaN in fp16: NaN latents give black images, or the run stops at latent caching (unless the checkpoint’s VAE is an fp16-fixed one)',
      advice: `Add no_half_vae${doc.format === 'kohya-gui-json' ? ' ("sdxl_no_half_vae": true)' : ' = true'}, or train in bf16${vae ? ' (unless the VAE given is an fp16-fixed one)' : ''}.`,
    }),
  ];
}
