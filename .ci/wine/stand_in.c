/* A stand-in for a runtime's executable in the Windows runtime tests
 * (tests/it/windows_runtimes.rs): it prints the file name it was started as and its
 * arguments, so a test sees which file of a laid-out runtime `vx exec` ran; or, when
 * VX_STAND_IN_SAYS is set, that line alone (a "new vx" reporting its version to
 * `vx self update` in tests/it/windows_self_update.rs). Built by
 * .ci/windows with mingw-w64: a few kilobytes, where the test executable itself (the
 * other candidate) is tens of megabytes. */
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

int main(int argc, char **argv) {
  const char *says = getenv("VX_STAND_IN_SAYS");
  if (says) {
    printf("%s\n", says);
    return 0;
  }
  char path[MAX_PATH];
  DWORD n = GetModuleFileNameA(NULL, path, MAX_PATH);
  const char *name = path;
  for (DWORD i = 0; i < n; i++)
    if (path[i] == '\\' || path[i] == '/')
      name = path + i + 1;
  printf("stand-in %s", name);
  for (int i = 1; i < argc; i++)
    printf(" %s", argv[i]);
  printf("\n");
  return 0;
}
