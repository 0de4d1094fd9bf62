; Inno Setup 6 script: the Windows installer of Meeting Companion, made from the PyInstaller one-folder
; bundle dist\meeting-companion\ (packaging\companion.spec). From the repository root, on Windows:
;
;   iscc /DAppVersion=0.1.0 packaging\windows\meeting-companion.iss
;
; writes dist\meeting-companion-0.1.0-windows-x86_64-setup.exe. Written and reviewed against the Inno Setup 6
; documentation; not compiled or run by its author (see packaging\README.md). Relative paths below are
; relative to this script's folder (the default SourceDir).

#if VER < EncodeVer(6, 3, 0)
  #error Inno Setup 6.3 or newer is needed (the x64compatible architecture identifier)
#endif
#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z packaging\windows\meeting-companion.iss
#endif

#define AppName "Meeting Companion"
#define AppExe "meeting-companion.exe"
#define Bundle "..\..\dist\meeting-companion"

[Setup]
; Identifies the app across versions (upgrades, the uninstaller): never change it. "{{" is a literal "{".
AppId={{2A7B4075-F516-4D13-8444-277AE235B597}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher={#AppName}
; All users under Program Files by default; the dialog PrivilegesRequiredOverridesAllowed=dialog adds lets a
; person install for themself only, without administrator rights, and {autopf} then means
; %LOCALAPPDATA%\Programs (Inno Setup help: "Non Administrative Install Mode").
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; The optional PATH entry: tell Explorer to reload the environment, so new terminals find companion.exe.
ChangesEnvironment=yes
SetupIconFile=..\icons\icon.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2
SolidCompression=yes
LZMAUseSeparateProcess=yes
OutputDir=..\..\dist
OutputBaseFilename=meeting-companion-{#AppVersion}-windows-x86_64-setup

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the companion command-line tool to PATH"; GroupDescription: "Command line:"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the bundle's libraries whole: files a previous version had and this one dropped must not
; stay beside the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
; postinstall entries run as the user who started Setup, not the elevated account (runasoriginaluser default).
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// PATH is one registry value that other programs share, so the installer edits only its own entry ({app},
// which holds companion.exe and meeting-companion.exe; PyInstaller 6 keeps the DLLs in {app}\_internal):
// Inno's [Registry] flags could only delete the whole value at uninstall.
const
  SystemEnvironment = 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment';
  UserEnvironment = 'Environment';

// Path without the entries that name Dir (case-insensitive, trailing backslash ignored) and without empty ones.
function WithoutEntry(const Path, Dir: String): String;
var
  Rest, Entry: String;
  Cut: Integer;
begin
  Result := '';
  Rest := Path + ';';
  while Rest <> '' do
  begin
    Cut := Pos(';', Rest);
    Entry := Copy(Rest, 1, Cut - 1);
    Delete(Rest, 1, Cut);
    if (Trim(Entry) <> '') and
       (CompareText(RemoveBackslashUnlessRoot(Trim(Entry)), RemoveBackslashUnlessRoot(Dir)) <> 0) then
    begin
      if Result <> '' then
        Result := Result + ';';
      Result := Result + Entry;
    end;
  end;
end;

// Rewrite one PATH value with Dir added (Add) or taken out; leave it alone when it cannot be read safely.
procedure EditPath(const Root: Integer; const SubKey, Dir: String; const Add: Boolean);
var
  Path, Edited: String;
begin
  if not RegQueryStringValue(Root, SubKey, 'Path', Path) then
  begin
    if RegValueExists(Root, SubKey, 'Path') then
    begin
      Log('PATH under ' + SubKey + ' is not a string value: left unchanged');
      exit;
    end;
    Path := '';
  end;
  Edited := WithoutEntry(Path, Dir);
  if Add then
  begin
    if Edited <> '' then
      Edited := Edited + ';';
    Edited := Edited + Dir;
  end;
  if Edited = Path then
    exit;
  // REG_EXPAND_SZ, as Windows stores PATH, so entries such as %SystemRoot% keep expanding.
  if not RegWriteExpandStringValue(Root, SubKey, 'Path', Edited) then
    Log('could not write PATH under ' + SubKey);
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if CurStep <> ssPostInstall then
    exit;
  // The machine's PATH for an all-users install, the user's own otherwise; unticking the task on an
  // upgrade takes the entry out again.
  if IsAdminInstallMode then
    EditPath(HKEY_LOCAL_MACHINE, SystemEnvironment, ExpandConstant('{app}'), WizardIsTaskSelected('addtopath'))
  else
    EditPath(HKEY_CURRENT_USER, UserEnvironment, ExpandConstant('{app}'), WizardIsTaskSelected('addtopath'));
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep <> usUninstall then
    exit;
  // Both values: an uninstaller with administrator rights reports IsAdminInstallMode even for a per-user
  // install (Inno Setup help: IsAdminInstallMode). EditPath writes only where the entry is.
  EditPath(HKEY_CURRENT_USER, UserEnvironment, ExpandConstant('{app}'), False);
  EditPath(HKEY_LOCAL_MACHINE, SystemEnvironment, ExpandConstant('{app}'), False);
end;
