import { useStudio } from '../store/context';

/** Where the studio keeps its data, and who it signs as: facts to read, changed outside the app. */
export function StudioFacts() {
  const appInfo = useStudio((state) => state.appInfo);
  const signing = appInfo?.signing;
  return (
    <>
      <section aria-labelledby="settings-data-title" className="settings-panel">
        <h3 id="settings-data-title">Data folder</h3>
        <p className="settings-path">
          <code>{appInfo?.dataDir ?? 'Loading…'}</code>
        </p>
        {appInfo && (
          <dl className="settings-facts">
            <dt>Uploaded storyboards</dt>
            <dd>
              <code>{appInfo.storyboardsDir}</code>
            </dd>
            <dt>Exports</dt>
            <dd>
              <code>{appInfo.exportsDir}</code>
            </dd>
          </dl>
        )}
        <p className="settings-note">
          The ledger of spend, every take, the exports and the signing identity live here. To use another folder, start Shotline with <code>--data-dir &lt;folder&gt;</code>{' '}
          or set <code>SHOTLINE_HOME</code>; the app does not move an existing folder.
        </p>
      </section>
      <section aria-labelledby="settings-identity-title" className="settings-panel">
        <h3 id="settings-identity-title">Signing identity</h3>
        {!signing && <p className="settings-note">Loading…</p>}
        {signing && (
          <dl className="settings-facts">
            <dt>Content credentials</dt>
            <dd className={signing.available ? 'settings-good' : 'settings-warn-text'}>{signing.available ? 'Available' : 'Unavailable'}</dd>
            <dt>Signs as</dt>
            <dd>{signing.subject ?? 'No identity yet'}</dd>
            {signing.expiresAt && (
              <>
                <dt>Signatures valid until</dt>
                <dd>{signing.expiresAt} (no timestamp authority is set, so they are checked against the certificate&apos;s dates)</dd>
              </>
            )}
            {signing.reason && (
              <>
                <dt>Note</dt>
                <dd>{signing.reason}</dd>
              </>
            )}
          </dl>
        )}
      </section>
    </>
  );
}
