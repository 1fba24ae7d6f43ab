import { useStudio } from '../store/context';
import { CredentialsDialog } from './CredentialsDialog';
import { ShotEditor } from './editor/ShotEditor';
import { ExportDialog } from './ExportDialog';
import { OpenStoryboardDialog } from './OpenStoryboardDialog';
import { TakesDialog } from './TakesDialog';

/** The one dialog open over the board. */
export function BoardDialogs() {
  const dialog = useStudio((state) => state.dialog);
  const openDialog = useStudio((state) => state.openDialog);
  const close = () => openDialog(null);
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'open':
      return <OpenStoryboardDialog onClose={close} />;
    case 'takes':
      return <TakesDialog shotId={dialog.shotId} onClose={close} />;
    case 'export':
      return <ExportDialog onClose={close} />;
    case 'credentials':
      return <CredentialsDialog shotId={dialog.shotId} {...(dialog.takeNo !== undefined ? { takeNo: dialog.takeNo } : {})} onClose={close} />;
    case 'edit':
      return <ShotEditor shotId={dialog.shotId} onClose={close} />;
  }
}
