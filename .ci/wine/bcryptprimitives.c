/* A stand-in for Windows' bcryptprimitives.dll under Wine 8, which lacks it.
 *
 * Rust's std (1.78 and later) takes its random bytes (HashMap seeds) from
 * ProcessPrng in bcryptprimitives.dll; Wine 8 has no such DLL, so every Rust program
 * dies at load. This one exports ProcessPrng on top of RtlGenRandom (advapi32's
 * SystemFunction036), which Wine has. Placed beside a test executable, it is found
 * first. Built by .ci/wine/run and .ci/windows with mingw-w64; never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* RtlGenRandom takes a ULONG length: feed it in chunks. */
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
