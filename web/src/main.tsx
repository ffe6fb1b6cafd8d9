// First: configures zod before any schema is built (see zodConfig.ts).
import './zodConfig';
import { StrictMode, Suspense, lazy } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import { embedParent } from './embed/embedBridge';
import { HomePage } from './pages/HomePage';
import './theme/tokens.css';
import './styles.css';

const CallPage = lazy(() => import('./pages/CallPage'));
const CheckPage = lazy(() => import('./check/CheckPage'));

function NotFound() {
  return (
    <main className="home">
      <h1 className="brand">Parley</h1>
      <p>There is nothing at this address.</p>
      <a href="/">Start a call</a>
    </main>
  );
}

function App() {
  return (
    <BrowserRouter>
      <Suspense fallback={<p className="loading">Loading…</p>}>
        <Routes>
          <Route path="/" element={<HomePage />} />
          <Route path="/r/:room" element={<CallPage />} />
          <Route path="/call/:username/:room" element={<CallPage />} />
          <Route path="/check" element={<CheckPage />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </BrowserRouter>
  );
}

// In a frame of an embedding page: find it now, while the address still says which it is.
void embedParent();

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
