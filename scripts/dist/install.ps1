# The vx installer for Windows:
#   powershell -ExecutionPolicy Bypass -c "irm https://…/install.ps1 | iex"
#
# Downloads the archive of this release for Windows, checks its sha256 against the one
# written into this script (nothing downloaded is unpacked or run before that check;
# no hash cmdlet means no install), installs vx.exe, adds its directory to the user's
# PATH, and writes the receipt `vx self update` reads. Proxies: the system's, with the
# user's Windows credentials, or HTTPS_PROXY / ALL_PROXY with credentials in the URL.
#
# Environment: VX_INSTALL_DIR (default %LOCALAPPDATA%\vx\bin), VX_NO_MODIFY_PATH=1,
# VX_UNMANAGED_INSTALL=DIR (no PATH edit, no receipt), VX_DOWNLOAD_URL (a mirror of
# the release set), VX_INSTALLER_GITHUB_BASE_URL, VX_GITHUB_TOKEN, VX_VERSION.

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

# Written by scripts/dist/build.sh: the release's version and each archive's sha256.
$ReleaseVersion = '@VX_VERSION@'
$ReleaseSums = @'
@VX_SUMS@
'@
$Repository = 'vx-toolchain/vx'

function Fail([string]$Message) {
    Write-Error "vx-installer: error: $Message" -ErrorAction Continue
    exit 1
}

function Say([string]$Message) {
    Write-Host "vx-installer: $Message"
}

function Get-Target {
    $arch = $env:PROCESSOR_ARCHITECTURE
    if ($env:PROCESSOR_ARCHITEW6432) { $arch = $env:PROCESSOR_ARCHITEW6432 }
    switch ($arch) {
        'AMD64' { return 'x86_64-pc-windows-gnu' }
        # Windows on Arm runs x86_64 programs under emulation.
        'ARM64' { return 'x86_64-pc-windows-gnu' }
        default { Fail "no vx release is built for the $arch architecture" }
    }
}

# Invoke-WebRequest's proxy arguments: HTTPS_PROXY / ALL_PROXY (credentials taken out
# of the URL), else the system proxy with the user's Windows credentials.
function Get-ProxyArgs {
    $proxy = $env:HTTPS_PROXY
    if (-not $proxy) { $proxy = $env:https_proxy }
    if (-not $proxy) { $proxy = $env:ALL_PROXY }
    if (-not $proxy) {
        [System.Net.WebRequest]::DefaultWebProxy.Credentials = [System.Net.CredentialCache]::DefaultNetworkCredentials
        return @{}
    }
    $uri = [Uri]$proxy
    $result = @{ Proxy = ('{0}://{1}:{2}' -f $uri.Scheme, $uri.Host, $uri.Port) }
    if ($uri.UserInfo) {
        $user, $password = $uri.UserInfo.Split(':', 2)
        $secure = ConvertTo-SecureString ([Uri]::UnescapeDataString($password)) -AsPlainText -Force
        $result.ProxyCredential = New-Object System.Management.Automation.PSCredential ([Uri]::UnescapeDataString($user), $secure)
    } else {
        $result.ProxyUseDefaultCredentials = $true
    }
    return $result
}

function Get-File([string]$Url, [string]$OutFile, [string]$GithubBase) {
    $headers = @{}
    if ($env:VX_GITHUB_TOKEN -and ($Url.StartsWith("$GithubBase/") -or $Url.StartsWith('https://github.com/'))) {
        $headers.Authorization = "Bearer $($env:VX_GITHUB_TOKEN)"
    }
    $proxyArgs = Get-ProxyArgs
    [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
    Invoke-WebRequest -UseBasicParsing -Uri $Url -OutFile $OutFile -Headers $headers @proxyArgs
}

function Assert-HashTool {
    if (-not (Get-Command Get-FileHash -ErrorAction SilentlyContinue)) {
        Fail 'Get-FileHash is not available (PowerShell 4 or newer is needed): refusing to install a download that cannot be checked'
    }
}

function Get-Sha256([string]$Path) {
    Assert-HashTool
    return (Get-FileHash -Algorithm SHA256 -LiteralPath $Path).Hash.ToLowerInvariant()
}

function ConvertTo-Sums([string]$Text) {
    $sums = @{}
    foreach ($line in $Text -split "`r?`n") {
        $parts = $line.Trim() -split '\s+'
        if ($parts.Count -eq 2 -and $parts[1] -match '^[0-9a-f]{64}$') { $sums[$parts[0]] = $parts[1] }
    }
    return $sums
}

function Install-Vx {
    $githubBase = if ($env:VX_INSTALLER_GITHUB_BASE_URL) { $env:VX_INSTALLER_GITHUB_BASE_URL.TrimEnd('/') } else { 'https://github.com' }
    $version = if ($env:VX_VERSION) { $env:VX_VERSION.TrimStart('v') } else { $ReleaseVersion }
    $target = Get-Target
    $asset = "vx-$version-$target.zip"
    $base = if ($env:VX_DOWNLOAD_URL) { $env:VX_DOWNLOAD_URL.TrimEnd('/') } else { "$githubBase/$Repository/releases/download/v$version" }

    $tmp = Join-Path ([IO.Path]::GetTempPath()) ("vx-install-" + [Guid]::NewGuid())
    New-Item -ItemType Directory -Path $tmp | Out-Null
    try {
        if ($version -eq $ReleaseVersion) {
            $sums = ConvertTo-Sums $ReleaseSums
        } else {
            Say "fetching the checksums of vx $version"
            Get-File "$base/sha256.sum" (Join-Path $tmp 'sha256.sum') $githubBase
            $sums = @{}
            foreach ($line in Get-Content (Join-Path $tmp 'sha256.sum')) {
                if ($line -match "^([0-9a-f]{64}) +vx-$([Regex]::Escape($version))-(.+)\.(tar\.gz|zip)$") { $sums[$Matches[2]] = $Matches[1] }
            }
        }
        if (-not $sums.ContainsKey($target)) { Fail "vx $version has no archive for $target" }
        $expected = $sums[$target]
        # Fail closed before downloading when nothing can check it.
        Assert-HashTool

        Say "downloading vx $version for $target"
        $archive = Join-Path $tmp $asset
        Get-File "$base/$asset" $archive $githubBase
        $actual = Get-Sha256 $archive
        if ($actual -ne $expected) { Fail "$asset has sha256 $actual, not the expected $expected: refusing to install it" }
        $unpacked = Join-Path $tmp 'unpacked'
        Expand-Archive -LiteralPath $archive -DestinationPath $unpacked
        $binary = Join-Path $unpacked "vx-$version-$target\vx.exe"
        if (-not (Test-Path -LiteralPath $binary -PathType Leaf)) { Fail "$asset holds no vx-$version-$target\vx.exe" }

        $unmanaged = [bool]$env:VX_UNMANAGED_INSTALL
        $dir = if ($unmanaged) { $env:VX_UNMANAGED_INSTALL } elseif ($env:VX_INSTALL_DIR) { $env:VX_INSTALL_DIR } else { Join-Path $env:LOCALAPPDATA 'vx\bin' }
        New-Item -ItemType Directory -Force -Path $dir | Out-Null
        $dir = (Resolve-Path -LiteralPath $dir).Path
        $dest = Join-Path $dir 'vx.exe'
        # A running vx.exe cannot be overwritten, but it can be moved aside.
        if (Test-Path -LiteralPath $dest) {
            $old = "$dest.old"
            Remove-Item -LiteralPath $old -Force -ErrorAction SilentlyContinue
            Move-Item -LiteralPath $dest -Destination $old -Force
        }
        Copy-Item -LiteralPath $binary -Destination $dest
        Say "installed vx $version into $dir"
        if ($unmanaged) { return }

        $config = Join-Path $env:APPDATA 'vx'
        New-Item -ItemType Directory -Force -Path $config | Out-Null
        $receipt = [ordered]@{ install_dir = $dir; version = $version; source = $base; channel = 'installer' }
        $receipt | ConvertTo-Json | Set-Content -Encoding UTF8 -LiteralPath (Join-Path $config 'receipt.json')

        $userPath = [Environment]::GetEnvironmentVariable('Path', 'User')
        $entries = if ($userPath) { $userPath -split ';' } else { @() }
        if ($entries -notcontains $dir) {
            if ($env:VX_NO_MODIFY_PATH -eq '1') {
                Say "$dir is not on PATH: add it to use vx"
            } else {
                $newPath = if ($userPath) { "$dir;$userPath" } else { $dir }
                [Environment]::SetEnvironmentVariable('Path', $newPath, 'User')
                $env:Path = "$dir;$env:Path"
                Say "added $dir to the user PATH (new terminals see it)"
            }
        }
    } finally {
        Remove-Item -LiteralPath $tmp -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Install-Vx
