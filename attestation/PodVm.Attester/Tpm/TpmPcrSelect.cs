namespace PodVm.Attester.Tpm;

/// <summary>PCR selection bitmaps: PCR i is bit i % 8 of octet i / 8 (TPMS_PCR_SELECT).</summary>
internal static class TpmPcrSelect
{
    public static byte[] Bitmap(IReadOnlyCollection<int> pcrs)
    {
        var bitmap = new byte[TpmConstants.PcrSelectSize];
        foreach (var pcr in pcrs)
        {
            if (pcr < 0 || pcr >= TpmConstants.PcrSelectSize * 8)
            {
                throw new ArgumentOutOfRangeException(nameof(pcrs), $"PCR {pcr} is outside 0-23");
            }

            bitmap[pcr / 8] |= (byte)(1 << (pcr % 8));
        }

        return bitmap;
    }

    public static List<int> Indices(ReadOnlySpan<byte> bitmap)
    {
        var pcrs = new List<int>();
        for (var pcr = 0; pcr < bitmap.Length * 8; pcr++)
        {
            if ((bitmap[pcr / 8] & (1 << (pcr % 8))) != 0)
            {
                pcrs.Add(pcr);
            }
        }

        return pcrs;
    }
}
