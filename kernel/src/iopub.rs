//! The IOPub socket, owned by one task: every handler publishes through a
//! cheap [`Iopub`] handle, new subscribers get an `iopub_welcome` (JEP 65),
//! and [`Iopub::flush`] waits until everything queued so far is on the wire,
//! so outputs always leave before the reply they belong to.

use jupyter_protocol::{IoPubWelcome, JupyterMessage};
use jupyter_zmq_client::{KernelIoPubXPubConnection, SubscriptionEvent};
use tokio::sync::{mpsc, oneshot};

/// How long one IOPub message may wait for a slow subscriber.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

enum Item {
    Message(Box<JupyterMessage>),
    Flush(oneshot::Sender<()>),
}

/// A handle to publish on IOPub. Cheap to clone.
#[derive(Clone)]
pub struct Iopub {
    tx: mpsc::UnboundedSender<Item>,
}

impl Iopub {
    /// Starts the task that owns `connection`.
    pub fn spawn(mut connection: KernelIoPubXPubConnection) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    item = rx.recv() => match item {
                        Some(Item::Message(m)) => {
                            // A subscriber that stops reading must not freeze the kernel.
                            match tokio::time::timeout(SEND_TIMEOUT, connection.send(*m)).await {
                                Ok(Ok(())) => {}
                                Ok(Err(e)) => eprintln!("maestro kernel: could not publish on iopub: {e}"),
                                Err(_) => eprintln!("maestro kernel: an iopub subscriber is not reading; a message was dropped"),
                            }
                        }
                        Some(Item::Flush(done)) => {
                            let _ = done.send(());
                        }
                        None => break,
                    },
                    event = connection.recv_subscription() => {
                        if let Ok(SubscriptionEvent::Subscribe(topic)) = event {
                            let _ = connection.send(IoPubWelcome::new(topic).into()).await;
                        }
                    }
                }
            }
        });
        Self { tx }
    }

    /// Queues a message.
    pub fn publish(&self, message: JupyterMessage) {
        let _ = self.tx.send(Item::Message(Box::new(message)));
    }

    /// Returns once every message queued before it has been sent.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Item::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }
}
