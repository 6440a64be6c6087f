@echo off
rem The Mailroom command line on Windows: mailroom.cmd COMMAND [options], the same commands and
rem exit codes as `mailroom` elsewhere. Mailroom.exe is a windowed program, which an interactive
rem command prompt starts without waiting for; a command script waits, so this one gives the
rem answer before the next prompt, and ERRORLEVEL (or PowerShell's $LASTEXITCODE) its exit code.
setlocal
"%~dp0Mailroom.exe" --cli %*
exit /b %ERRORLEVEL%
