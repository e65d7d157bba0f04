// Deliberately empty: Vite catches the missing export and asks PowerShell for the process start time.
export {};
